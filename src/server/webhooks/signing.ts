import { createHmac } from 'node:crypto'
import { randomToken } from '../auth/crypto'

/** Secrets look like `whsec_<43 base64url characters>`; the whole string is the HMAC key. */
export const SECRET_PREFIX = 'whsec_'

export function newSecret(): string {
  return `${SECRET_PREFIX}${randomToken(32)}`
}

/** What the UI shows to tell secrets apart: the prefix and four characters. */
export function secretHint(secret: string): string {
  return `${secret.slice(0, SECRET_PREFIX.length + 4)}…`
}

/** HMAC-SHA256 over `${timestamp}.${rawBody}`, hex (docs/webhooks.md, "Verifying signatures"). */
export function sign(secret: string, timestamp: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')
}

/** `v1=<hex>` per secret, newest first: during a rotation's overlap both secrets sign. */
export function signatureHeader(secrets: string[], timestamp: number, rawBody: string): string {
  return secrets.map((s) => `v1=${sign(s, timestamp, rawBody)}`).join(',')
}
