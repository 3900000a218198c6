import { createSign } from 'node:crypto'
import type { OpenCredential } from '../credentials'
import { jsonBody, type StepHttp } from './outbound'

export const SHEETS_SCOPE = 'https://www.googleapis.com/auth/spreadsheets'

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url')

/**
 * A service account's signed assertion (RFC 7523 JWT bearer grant, as Google documents for
 * server-to-server OAuth 2.0): RS256 over `header.claims`, claims iss / scope / aud / iat / exp.
 */
export function serviceAccountAssertion(
  o: {
    clientEmail: string
    privateKey: string
    privateKeyId?: string | undefined
    tokenUrl: string
    scope: string
  },
  now: Date,
): string {
  const iat = Math.floor(now.getTime() / 1000)
  const header = { alg: 'RS256', typ: 'JWT', ...(o.privateKeyId ? { kid: o.privateKeyId } : {}) }
  const claims = { iss: o.clientEmail, scope: o.scope, aud: o.tokenUrl, iat, exp: iat + 3600 }
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`
  const signature = createSign('RSA-SHA256').update(input).sign(o.privateKey)
  return `${input}.${b64url(signature)}`
}

export class GoogleAuthError extends Error {}

const tokens = new Map<string, { token: string; expiresAt: number }>()

/** An access token for the credential, cached until a minute before it expires. */
export async function googleAccessToken(http: StepHttp, cred: OpenCredential, now: Date): Promise<string> {
  const key = `${cred.row.workspaceId}:${cred.row.id}:${cred.row.createdAt.getTime()}`
  const hit = tokens.get(key)
  if (hit && hit.expiresAt > now.getTime() + 60_000) return hit.token
  const tokenUrl = cred.details.tokenUrl!
  const assertion = serviceAccountAssertion(
    {
      clientEmail: cred.details.clientEmail!,
      privateKey: cred.secret,
      privateKeyId: cred.details.privateKeyId,
      tokenUrl,
      scope: SHEETS_SCOPE,
    },
    now,
  )
  const res = await http.request({
    method: 'POST',
    url: tokenUrl,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion,
    }).toString(),
    timeoutMs: 10_000,
    maxBytes: 64 * 1024,
  })
  const body = jsonBody<{
    access_token?: string
    expires_in?: number
    error?: string
    error_description?: string
  }>(res)
  if (res.status !== 200 || !body.access_token)
    throw new GoogleAuthError(
      `Google refused the service account (${res.status} ${body.error ?? ''}: ${body.error_description ?? res.body.slice(0, 200)}).`,
    )
  tokens.set(key, { token: body.access_token, expiresAt: now.getTime() + (body.expires_in ?? 3600) * 1000 })
  return body.access_token
}
