import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod'
import { AppError, type FieldProblem } from '../errors'

type ErrorBody = { error: { code: string; message: string; fields?: FieldProblem[] } }

const FASTIFY_CODES: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'invalid_json',
    message: 'The request body is not valid JSON.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'invalid_json',
    message: 'The request body is empty but Content-Type is application/json.',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'payload_too_large',
    message: 'The request body is too large.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'Unsupported Content-Type; send application/json.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'bad_request',
    message: 'Invalid Content-Length.',
  },
}

/** The one place where errors become HTTP responses. */
export function errorResponse(
  err: FastifyError | Error,
  request: FastifyRequest,
): { status: number; body: ErrorBody; headers?: Record<string, string> } {
  if (err instanceof AppError) {
    return {
      status: err.status,
      body: {
        error: { code: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}) },
      },
      ...(err.headers ? { headers: err.headers } : {}),
    }
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = (err as { validationContext?: string }).validationContext ?? 'body'
    const fields = err.validation.flatMap((v) => {
      const base = [where, ...v.instancePath.split('/').filter(Boolean)]
      // zod reports unknown keys on the parent object; name each one instead.
      const unknown = v.keyword === 'unrecognized_keys' ? ((v.params as { keys?: string[] }).keys ?? []) : []
      if (unknown.length)
        return unknown.map((k) => ({ path: [...base, k].join('.'), message: 'Unknown field.' }))
      return [{ path: base.join('.'), message: v.message ?? 'Invalid value.' }]
    })
    const summary = fields.map((f) => `${f.path}: ${f.message}`).join('; ')
    return { status: 400, body: { error: { code: 'validation_failed', message: summary, fields } } }
  }
  const fe = err as FastifyError
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err instanceof SyntaxError && fe.statusCode === 400)) {
    return { status: 400, body: { error: FASTIFY_CODES.FST_ERR_CTP_INVALID_JSON_BODY! } }
  }
  const known = fe.code ? FASTIFY_CODES[fe.code] : undefined
  if (known) return { status: known.status, body: { error: { code: known.code, message: known.message } } }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500 && !isResponseSerializationError(err)) {
    return { status: fe.statusCode, body: { error: { code: 'bad_request', message: fe.message } } }
  }
  return {
    status: 500,
    body: {
      error: { code: 'internal_error', message: `Something went wrong on our side (request ${request.id}).` },
    },
  }
}

export function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const { status, body, headers } = errorResponse(err, request)
  if (status >= 500) request.log.error({ err }, 'request failed')
  if (headers) reply.headers(headers)
  return reply.status(status).send(body)
}
