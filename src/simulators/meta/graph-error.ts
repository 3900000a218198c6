import { randomBytes } from 'node:crypto'

/**
 * A Graph API error as Meta documents it (developers.facebook.com/docs/graph-api/guides/error-handling,
 * and the Cloud API error codes page): `{ error: { message, type, code, error_subcode?,
 * error_data?, fbtrace_id } }` with the HTTP status Meta uses for that code.
 */
export type GraphErrorBody = {
  error: {
    message: string
    type: string
    code: number
    error_subcode?: number
    error_data?: { messaging_product: 'whatsapp'; details: string }
    fbtrace_id: string
  }
}

export class GraphFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: GraphErrorBody,
  ) {
    super(body.error.message)
  }
}

export function graphError(
  code: number,
  message: string,
  opts: { status?: number; subcode?: number; details?: string; whatsapp?: boolean; type?: string } = {},
): GraphFailure {
  return new GraphFailure(opts.status ?? (code === 190 ? 401 : 400), {
    error: {
      message: `(#${code}) ${message}`,
      type: opts.type ?? 'OAuthException',
      code,
      ...(opts.subcode !== undefined ? { error_subcode: opts.subcode } : {}),
      ...(opts.whatsapp
        ? { error_data: { messaging_product: 'whatsapp', details: opts.details ?? message } }
        : {}),
      fbtrace_id: randomBytes(9).toString('base64'),
    },
  })
}

/** `(#100) Invalid parameter` with the documented WhatsApp `error_data.details`. */
export const invalidParam = (details: string, whatsapp = true) =>
  graphError(100, 'Invalid parameter', { details, whatsapp })

/** Throws an invalid-parameter error unless the string is within the documented length. */
export function checkText(
  value: unknown,
  field: string,
  max: number,
  opts: { required?: boolean; whatsapp?: boolean } = {},
) {
  if (value === undefined || value === null) {
    if (opts.required) throw invalidParam(`The parameter ${field} is required.`, opts.whatsapp ?? true)
    return
  }
  if (typeof value !== 'string') throw invalidParam(`Param ${field} must be a string.`, opts.whatsapp ?? true)
  if (opts.required && value.trim() === '')
    throw invalidParam(`Param ${field} must be non-empty.`, opts.whatsapp ?? true)
  if ([...value].length > max)
    throw invalidParam(`Param ${field} must be at most ${max} characters long.`, opts.whatsapp ?? true)
}
