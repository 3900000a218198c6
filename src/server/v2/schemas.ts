import { z } from 'zod'

/** The OpenAPI tag of every /v2 route. */
export const V2_TAG = 'Developer API v2 (respond.io compatible)'

export const errorOut = z
  .object({ code: z.number().int(), message: z.string() })
  .meta({ examples: [{ code: 404, message: 'Contact not found' }] })

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Validation error, or a request that cannot be carried out now (respond.io answers 400 for both).',
  401: 'Missing, invalid or revoked API token.',
  403: 'API tokens may not do this (managing people and credentials needs a signed-in user).',
  404: 'Unknown contact, message, user, channel or other identifier (in this workspace).',
  413: 'The request body is larger than 1 MiB.',
  429: 'Too Many Requests: see Retry-After, X-RateLimit-Limit and X-RateLimit-Remaining.',
}

/** Error responses in respond.io's shape, for the OpenAPI document. */
export const v2Errors = (...codes: (400 | 403 | 404 | 413)[]) =>
  Object.fromEntries(
    [...codes, 401, 429].map((c) => [c, errorOut.describe(ERROR_DESCRIPTIONS[c] ?? `HTTP ${c}`)]),
  ) as Record<number, typeof errorOut>

export const paginationOut = z
  .object({
    next: z.string().describe('URL of the next page ("" when there is none).'),
    previous: z.string().describe('URL of the previous page ("" on the first page).'),
  })
  .meta({
    examples: [
      {
        next: 'https://tawasul.example/v2/space/user?limit=10&cursorId=41',
        previous: 'https://tawasul.example/v2/space/user?limit=10&cursorId=-50',
      },
    ],
  })

export const contactActionOut = z
  .object({ contactId: z.number().int().describe('ID of the contact on which the action was performed.') })
  .meta({ examples: [{ contactId: 1 }] })

export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(10).describe('Page size, 1–100 (default 10).'),
  cursorId: z.coerce
    .number()
    .int()
    .refine(
      (n) => n !== 0 && Math.abs(n) <= Number.MAX_SAFE_INTEGER,
      'cursorId is an id (negative: the page before it).',
    )
    .optional()
    .describe(
      'The id after which the page starts, as given in pagination.next; a negative id (pagination.previous) returns the page before that id.',
    ),
})

export const numericId = (what: string) =>
  z.coerce
    .number({ error: `${what} is a number.` })
    .int()
    .positive()
    .max(Number.MAX_SAFE_INTEGER)
