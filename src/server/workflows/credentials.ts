import { createPrivateKey } from 'node:crypto'
import { z } from 'zod'
import { decryptSecret, encryptSecret } from '../auth/crypto'
import type { Ctx } from '../context'
import type { DbOrTx } from '../db/database'
import type { CredentialKind } from '../db/schema'
import { StepError } from './step'
import { type CredentialRow, findCredential } from './workflows.repo'

/**
 * Credentials of the integration steps. What may be shown (client email, dataset id, base URLs)
 * is kept in clear; keys and tokens are encrypted at rest and never presented. Base URLs default
 * to the providers' and can point at a local simulator (tests, `npm run simulate`).
 */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token'
export const GOOGLE_SHEETS_URL = 'https://sheets.googleapis.com'
export const META_GRAPH_URL = 'https://graph.facebook.com'
export const META_GRAPH_VERSION = 'v21.0'
export const TIKTOK_API_URL = 'https://business-api.tiktok.com'

const baseUrl = z.url({ protocol: /^https?$/ }).max(500)

const googleKey = z.object({
  type: z.literal('service_account', {
    error: 'This is not a service-account key (type must be "service_account").',
  }),
  client_email: z.email(),
  private_key: z.string().refine((k) => {
    try {
      createPrivateKey(k)
      return true
    } catch {
      return false
    }
  }, 'The private_key is not a valid PEM key.'),
  private_key_id: z.string().max(200).optional(),
  token_uri: z.url().optional(),
})

export const credentialInputSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('google_service_account'),
    name: z.string().trim().min(1).max(100),
    /** The JSON key file Google gives for a service account. */
    key: googleKey,
    tokenUrl: baseUrl.optional(),
    apiBaseUrl: baseUrl.optional(),
  }),
  z.strictObject({
    kind: z.literal('meta_conversions'),
    name: z.string().trim().min(1).max(100),
    datasetId: z.string().regex(/^\d{1,30}$/, 'The dataset id is numeric.'),
    accessToken: z.string().min(10).max(1000),
    whatsappBusinessAccountId: z
      .string()
      .regex(/^\d{1,30}$/)
      .optional(),
    pageId: z
      .string()
      .regex(/^\d{1,30}$/)
      .optional(),
    apiBaseUrl: baseUrl.optional(),
    apiVersion: z
      .string()
      .regex(/^v\d{1,3}\.\d$/)
      .optional(),
  }),
  z.strictObject({
    kind: z.literal('tiktok_events'),
    name: z.string().trim().min(1).max(100),
    /** The pixel code or event set id (event_source_id). */
    eventSourceId: z.string().min(3).max(100),
    eventSource: z.enum(['web', 'app', 'offline', 'crm']).default('crm'),
    accessToken: z.string().min(10).max(1000),
    apiBaseUrl: baseUrl.optional(),
  }),
])
export type CredentialInput = z.infer<typeof credentialInputSchema>

/** Splits an input into what is shown and what is sealed. */
export function sealCredential(
  ctx: Ctx,
  input: CredentialInput,
): { details: Record<string, string>; secret: string } {
  const clean = (o: Record<string, string | undefined>) =>
    Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined))
  switch (input.kind) {
    case 'google_service_account':
      return {
        details: clean({
          clientEmail: input.key.client_email,
          privateKeyId: input.key.private_key_id,
          tokenUrl: input.tokenUrl ?? input.key.token_uri ?? GOOGLE_TOKEN_URL,
          apiBaseUrl: input.apiBaseUrl ?? GOOGLE_SHEETS_URL,
        }),
        secret: encryptSecret(ctx.config.secret, input.key.private_key),
      }
    case 'meta_conversions':
      return {
        details: clean({
          datasetId: input.datasetId,
          whatsappBusinessAccountId: input.whatsappBusinessAccountId,
          pageId: input.pageId,
          apiBaseUrl: input.apiBaseUrl ?? META_GRAPH_URL,
          apiVersion: input.apiVersion ?? META_GRAPH_VERSION,
        }),
        secret: encryptSecret(ctx.config.secret, input.accessToken),
      }
    case 'tiktok_events':
      return {
        details: clean({
          eventSourceId: input.eventSourceId,
          eventSource: input.eventSource,
          apiBaseUrl: input.apiBaseUrl ?? TIKTOK_API_URL,
        }),
        secret: encryptSecret(ctx.config.secret, input.accessToken),
      }
  }
}

export type OpenCredential = { row: CredentialRow; details: Record<string, string>; secret: string }

/** A credential with its secret, for a step about to call out. */
export async function openCredential(
  ctx: Ctx,
  db: DbOrTx,
  workspaceId: number,
  id: number,
  kind: CredentialKind,
) {
  const row = await findCredential(db, workspaceId, id, kind)
  if (!row) throw new StepError('The credential this step uses no longer exists.')
  return {
    row,
    details: row.details,
    secret: decryptSecret(ctx.config.secret, row.secret),
  } satisfies OpenCredential
}
