import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { errorResponse } from '../http/errors'

/** respond.io's error body: `{ "code": <HTTP status>, "message": "…" }`. */
export type V2ErrorBody = { code: number; message: string }

/**
 * Our typed errors in respond.io's shape. respond.io documents 400 for every request it refuses
 * (validation and state alike), 401, 404 and 429; it documents no 409 or 422, so our conflicts
 * (already closed, blocked contact…) and unprocessable requests answer 400. 403, 413 and 415 keep
 * their HTTP meaning (respond.io is silent on them). Messages stay precise.
 */
export function v2ErrorResponse(
  err: FastifyError | Error,
  request: FastifyRequest,
): { status: number; body: V2ErrorBody; headers?: Record<string, string> } {
  const { status: ours, body, headers } = errorResponse(err, request)
  const status = ours === 409 || ours === 422 ? 400 : ours
  let message = body.error.message
  if (status >= 500) message = `Unexpected error occurred (request ${request.id}).`
  else if (hasZodFastifySchemaValidationErrors(err)) message = `Validation error: ${message}`
  else if (status === 404) message = message.replace(/ was not found\.$/, ' not found')
  return { status, body: { code: status, message }, ...(headers ? { headers } : {}) }
}

export function v2ErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const { status, body, headers } = v2ErrorResponse(err, request)
  if (status >= 500) request.log.error({ err }, 'request failed')
  if (headers) reply.headers(headers)
  return reply.status(status).send(body)
}
