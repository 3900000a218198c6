import { createHash } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { Ctx } from '../context'
import { AppError } from '../errors'

/**
 * respond.io limits "each API call method" and reports Retry-After, X-RateLimit-Limit and
 * X-RateLimit-Remaining; a third-party description of its API gives 5 requests per second per
 * method, our default (RATE_LIMIT_API_V2_MAX per RATE_LIMIT_API_V2_WINDOW_MS). Each route has its
 * own counter (per method), keyed by a hash of the token (per token; the client IP when there is
 * none). Counting happens before authentication and validation, so refused requests count too.
 * The counters live in each server process: with N processes behind a balancer a token can make
 * up to N times the limit.
 */
export function rateLimited(ctx: Ctx) {
  return {
    rateLimit: {
      max: ctx.config.rateLimitApiV2.max,
      timeWindow: ctx.config.rateLimitApiV2.windowMs,
      keyGenerator: keyOf,
      errorResponseBuilder: () => new AppError(429, 'rate_limited', 'Too Many Requests'),
    },
  }
}

function keyOf(request: FastifyRequest): string {
  const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
  return token ? `token:${createHash('sha256').update(token).digest('base64url')}` : `ip:${request.ip}`
}
