import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema, labelSchema, okBody } from '../http/schemas'
import { createApiToken, listTokens, revokeToken } from './tokens.service'

const tokenOut = z.object({
  id: z.number(),
  name: z.string(),
  tokenPrefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  createdByName: z.string().nullable(),
})
const TOKEN_EXAMPLE = {
  id: 14,
  name: 'Shopify — متجر الرياض',
  tokenPrefix: 'tws_1_Xk9q…',
  createdAt: '2026-11-10T12:00:41.000Z',
}
const tokenListOut = z.array(tokenOut).meta({
  examples: [
    [
      {
        ...TOKEN_EXAMPLE,
        lastUsedAt: '2026-11-18T09:02:10.000Z',
        revokedAt: null,
        createdByName: 'سارة العتيبي',
      },
      {
        id: 9,
        name: 'Zapier',
        tokenPrefix: 'tws_1_b7Rt…',
        createdAt: '2026-07-03T08:15:00.000Z',
        lastUsedAt: null,
        revokedAt: '2026-09-30T17:44:12.000Z',
        createdByName: 'Omar Saleh',
      },
    ],
  ],
})
const wsParams = z.strictObject({ workspaceId: idSchema })

export function tokenRoutes(app: App, ctx: Ctx) {
  app.get(
    '/api/v1/workspaces/:workspaceId/api-tokens',
    {
      schema: {
        tags: ['API tokens'],
        summary: 'API tokens of the workspace (never the tokens themselves)',
        params: wsParams,
        response: { 200: tokenListOut, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return (await listTokens(ctx, p)).map((t) => ({
        ...t,
        createdAt: t.createdAt.toISOString(),
        lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
        revokedAt: t.revokedAt?.toISOString() ?? null,
      }))
    },
  )

  app.post(
    '/api/v1/workspaces/:workspaceId/api-tokens',
    {
      schema: {
        tags: ['API tokens'],
        summary: 'Create an API token; the token is in this response only',
        params: wsParams,
        body: z
          .strictObject({ name: labelSchema('Token name', 80) })
          .meta({ examples: [{ name: 'Shopify — متجر الرياض' }] }),
        response: {
          201: z
            .object({
              id: z.number(),
              name: z.string(),
              token: z.string(),
              tokenPrefix: z.string(),
              createdAt: z.string(),
            })
            .meta({
              examples: [{ ...TOKEN_EXAMPLE, token: 'tws_1_Xk9qV3mZp0aL7cR2wT5yH8nB4dF6gJ1sK0uE9iO3rQ' }],
            }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const t = await createApiToken(ctx, p, request.body)
      return reply
        .status(201)
        .header('cache-control', 'no-store')
        .send({ ...t, createdAt: t.createdAt.toISOString() })
    },
  )

  app.delete(
    '/api/v1/workspaces/:workspaceId/api-tokens/:tokenId',
    {
      schema: {
        tags: ['API tokens'],
        summary: 'Revoke an API token',
        params: z.strictObject({ workspaceId: idSchema, tokenId: idSchema }),
        response: { 200: okBody, ...errors(401, 403, 404, 410) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      await revokeToken(ctx, p, request.params.tokenId)
      return { ok: true as const }
    },
  )
}
