import type { FastifyRequest } from 'fastify'
import type { App } from '../app'
import type { Ctx } from '../context'
import { ValidationError } from '../errors'
import { ingest } from '../ingest/ingest'
import type { WebhookRequest } from './channel'
import { channelForWebhook } from './channels.service'
import { adapterFor } from './registry'

const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024

function toWebhookRequest(request: FastifyRequest, publicUrl: string): WebhookRequest {
  const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
  const type = String(request.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase()
  let body: unknown
  if (rawBody.length && type === 'application/json') {
    try {
      body = JSON.parse(rawBody.toString('utf8'))
    } catch {
      throw new ValidationError('The request body is not valid JSON.')
    }
  } else if (type === 'application/x-www-form-urlencoded') {
    body = Object.fromEntries(new URLSearchParams(rawBody.toString('utf8')))
  }
  return {
    method: request.method,
    url: request.url,
    publicUrl: `${publicUrl}${request.url}`,
    query: request.query as WebhookRequest['query'],
    headers: request.headers,
    rawBody,
    body,
  }
}

/**
 * Inbound provider webhooks: verify (signature or token) → parse (pure) → ingest (one commit)
 * → acknowledge. The provider hears 200 only once everything is durably stored.
 */
export function webhookRoutes(app: App, ctx: Ctx) {
  app.register(async (scope) => {
    // Signatures are computed over the exact bytes, so the body is kept raw here.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_WEBHOOK_BYTES }, (_req, body, done) =>
      done(null, body),
    )
    scope.route<{ Params: { workspaceId: string; channelId: string; key: string } }>({
      method: ['GET', 'POST'],
      url: '/webhooks/:workspaceId/:channelId/:key',
      schema: { hide: true },
      bodyLimit: MAX_WEBHOOK_BYTES,
      handler: async (request, reply) => {
        const ws = Number(request.params.workspaceId)
        const id = Number(request.params.channelId)
        if (!Number.isSafeInteger(ws) || !Number.isSafeInteger(id))
          return reply.status(404).send({ error: { code: 'not_found', message: 'Webhook was not found.' } })
        const { row, ref } = await channelForWebhook(ctx, ws, id, request.params.key)
        const adapter = adapterFor(row.type)!
        const req = toWebhookRequest(request, ctx.config.publicUrl)
        if (request.method === 'GET') {
          const answer = adapter.handshake?.(req, ref)
          if (!answer)
            return reply.status(405).send({ error: { code: 'method_not_allowed', message: 'Use POST.' } })
          return reply
            .status(answer.status)
            .type(answer.contentType ?? 'text/plain')
            .send(answer.body)
        }
        adapter.verify(req, ref)
        const events = adapter.parse(req, ref)
        const result = await ingest(ctx, row, events)
        request.log.info({ channelId: row.id, ...result }, 'webhook ingested')
        const ack = adapter.ack?.(req) ?? { status: 200, body: 'OK' }
        return reply
          .status(ack.status)
          .type(ack.contentType ?? 'text/plain')
          .send(ack.body)
      },
    })
  })
}
