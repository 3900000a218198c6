import { createHmac } from 'node:crypto'
import { safeEqual } from '../../auth/crypto'

/** How long a visitor token lives; the widget exchanges its visitor id for a new one when it expires. */
export const VISITOR_TOKEN_SECONDS = 3600

export type VisitorClaims = {
  /** workspace, channel */
  w: number
  c: number
  /** The identity on the channel: `v_<visitor id>` (anonymous) or `u_<user id>` (verified by the site). */
  i: string
  /** expiry, seconds since epoch */
  exp: number
  /** Verified by the site's backend (identity HMAC): name and email come from it, not the visitor. */
  v?: 1
  n?: string
  e?: string
}

const sign = (secret: string, body: string) =>
  createHmac('sha256', secret).update(`webchat-visitor:${body}`).digest('base64url')

export function issueVisitorToken(secret: string, claims: VisitorClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url')
  return `${body}.${sign(secret, body)}`
}

/** The claims of a valid, unexpired token for this channel, or undefined. */
export function readVisitorToken(
  secret: string,
  token: string,
  channel: { workspaceId: number; id: number },
  nowSeconds: number,
): VisitorClaims | undefined {
  const [body, mac, extra] = token.split('.')
  if (!body || !mac || extra !== undefined || !safeEqual(mac, sign(secret, body))) return undefined
  try {
    const c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as VisitorClaims
    if (c.w !== channel.workspaceId || c.c !== channel.id || typeof c.i !== 'string') return undefined
    return c.exp > nowSeconds ? c : undefined
  } catch {
    return undefined
  }
}

/**
 * Identity verification (docs/widget.md): the site's backend signs what it knows about the
 * signed-in user with the channel's identity secret, and the page hands the result to the widget.
 *   userHash = hex(HMAC-SHA256(identitySecret, userId + "\n" + email + "\n" + name))
 * (empty strings for a missing email or name). Without a valid hash, nobody can chat as that user.
 */
export function identityHash(identitySecret: string, user: { id: string; email?: string; name?: string }) {
  return createHmac('sha256', identitySecret)
    .update(`${user.id}\n${user.email ?? ''}\n${user.name ?? ''}`)
    .digest('hex')
}

export function verifyIdentity(
  identitySecret: string,
  user: { id: string; email?: string | undefined; name?: string | undefined; hash: string },
): boolean {
  const expected = identityHash(identitySecret, {
    id: user.id,
    email: user.email ?? '',
    name: user.name ?? '',
  })
  return safeEqual(user.hash.toLowerCase(), expected)
}
