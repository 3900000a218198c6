import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { App } from '../../app'
import type { Ctx } from '../../context'
import { createLimiter } from './ratelimit'
import {
  acknowledge,
  ackSchema,
  allowedOrigin,
  deliveringMessage,
  publicConfig,
  publicConfigSchema,
  receiveVisitorMessage,
  sessionSchema,
  startSession,
  visitorFromToken,
  visitorHistory,
  visitorSendSchema,
  type Widget,
  widgetByKey,
} from './webchat.service'
import { createWebchatHub } from './webchat.stream'

/** Abuse limits (per process, see ratelimit.ts). */
export const LIMITS = {
  perIpPerMinute: 300,
  sessionsPerIpPerMinute: 30,
  messagesPerVisitorPerMinute: 20,
  acksPerVisitorPerMinute: 120,
}
const MINUTE = 60_000
const KEEPALIVE_MS = 20_000

const keyParams = z.strictObject({ key: z.string().min(1).max(120) })

/**
 * The widget script and the visitor API (/widget/v1/:key/…), called cross-origin from customers'
 * sites. Every endpoint checks the page's Origin against the channel's allowed origins and answers
 * with CORS headers for that origin only; every endpoint is rate-limited per IP, and sending and
 * acknowledging also per visitor.
 */
export function webchatRoutes(app: App, ctx: Ctx) {
  const limiter = createLimiter()
  const hub = createWebchatHub(ctx)
  const streams = new Set<FastifyReply>()
  app.addHook('preClose', async () => {
    for (const r of streams) r.raw.end()
    streams.clear()
  })
  app.addHook('onClose', async () => hub.close())

  /** The widget, the Origin check with its CORS headers, and the per-IP limit, before anything else. */
  const gate = async (request: FastifyRequest, reply: FastifyReply, key: string): Promise<Widget> => {
    const w = await widgetByKey(ctx, key)
    const origin = allowedOrigin(w, request.headers.origin)
    reply.header('access-control-allow-origin', origin).header('vary', 'Origin')
    // After the CORS headers, so the widget can read the 429 and back off.
    limiter.take(`ip:${request.ip}`, LIMITS.perIpPerMinute, MINUTE)
    return w
  }

  app.get('/widget.js', { schema: { hide: true } }, async (_request, reply) => {
    const file = path.join(ctx.config.widgetDistDir, 'widget.js')
    const exists = await stat(file).catch(() => undefined)
    if (!exists) {
      return reply.status(404).send({
        error: { code: 'not_found', message: 'The chat widget is not built (npm run build).' },
      })
    }
    // STACK.md gotcha 21: the bundle holds raw UTF-8 Arabic; without the charset a page decodes it as windows-1252.
    return reply
      .header('content-type', 'application/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .header('access-control-allow-origin', '*')
      .send(await readFile(file))
  })

  app.options(
    '/widget/v1/:key/*',
    { schema: { hide: true, params: keyParams.extend({ '*': z.string() }) } },
    async (request, reply) => {
      await gate(request, reply, request.params.key)
      return reply
        .status(204)
        .header('access-control-allow-methods', 'GET, POST, OPTIONS')
        .header('access-control-allow-headers', 'authorization, content-type')
        .header('access-control-max-age', '600')
        .send()
    },
  )

  app.get(
    '/widget/v1/:key/config',
    { schema: { hide: true, params: keyParams, response: { 200: publicConfigSchema } } },
    async (request, reply) => {
      const w = await gate(request, reply, request.params.key)
      // Availability changes with the clock: never cached.
      return reply.header('cache-control', 'no-store').send(await publicConfig(ctx, w))
    },
  )

  app.post(
    '/widget/v1/:key/session',
    { schema: { hide: true, params: keyParams, body: sessionSchema } },
    async (request, reply) => {
      const w = await gate(request, reply, request.params.key)
      limiter.take(`session:${request.ip}`, LIMITS.sessionsPerIpPerMinute, MINUTE)
      return reply.header('cache-control', 'no-store').send(startSession(ctx, w, request.body))
    },
  )

  app.get(
    '/widget/v1/:key/messages',
    { schema: { hide: true, params: keyParams } },
    async (request, reply) => {
      const w = await gate(request, reply, request.params.key)
      const v = visitorFromToken(ctx, w, request.headers.authorization)
      return reply.header('cache-control', 'no-store').send({ messages: await visitorHistory(ctx, w, v) })
    },
  )

  app.post(
    '/widget/v1/:key/messages',
    { schema: { hide: true, params: keyParams, body: visitorSendSchema } },
    async (request, reply) => {
      const w = await gate(request, reply, request.params.key)
      const v = visitorFromToken(ctx, w, request.headers.authorization)
      limiter.take(`msg:${w.row.workspaceId}:${w.row.id}:${v.i}`, LIMITS.messagesPerVisitorPerMinute, MINUTE)
      return reply.status(201).send(await receiveVisitorMessage(ctx, w, v, request.body))
    },
  )

  app.post(
    '/widget/v1/:key/ack',
    { schema: { hide: true, params: keyParams, body: ackSchema } },
    async (request, reply) => {
      const w = await gate(request, reply, request.params.key)
      const v = visitorFromToken(ctx, w, request.headers.authorization)
      limiter.take(`ack:${w.row.workspaceId}:${w.row.id}:${v.i}`, LIMITS.acksPerVisitorPerMinute, MINUTE)
      return acknowledge(ctx, w, v, request.body)
    },
  )

  // Server-sent events: EventSource cannot send headers, so the short-lived token is in the query
  // (redacted from logs, log.ts). Each event is one agent message, loaded from the database.
  app.get(
    '/widget/v1/:key/stream',
    {
      schema: {
        hide: true,
        params: keyParams,
        querystring: z.strictObject({ token: z.string().min(1).max(2000) }),
      },
    },
    async (request, reply) => {
      const w = await gate(request, reply, request.params.key)
      const v = visitorFromToken(ctx, w, request.query.token)
      reply.hijack()
      const raw = reply.raw
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'access-control-allow-origin': String(reply.getHeader('access-control-allow-origin')),
        vary: 'Origin',
      })
      raw.write('retry: 3000\n\n')
      streams.add(reply)
      const unsubscribe = await hub.subscribe(w.row.workspaceId, w.row.id, v.i, (n) => {
        deliveringMessage(ctx, w, v, n.messageId).then(
          (m) => {
            if (m) raw.write(`event: message\ndata: ${JSON.stringify(m)}\n\n`)
          },
          (err) => ctx.log.warn({ err }, 'webchat: loading a message for the stream failed'),
        )
      })
      const keepalive = setInterval(() => raw.write(': keepalive\n\n'), KEEPALIVE_MS)
      raw.write(': connected\n\n')
      request.raw.on('close', () => {
        clearInterval(keepalive)
        unsubscribe()
        streams.delete(reply)
      })
    },
  )
}
