import {
  createCipheriv,
  createDecipheriv,
  createHash,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto'

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a)
  const bb = Buffer.from(b)
  return ab.length === bb.length && timingSafeEqual(ab, bb)
}

/**
 * Tokens that must be looked up without knowing the workspace carry its id in clear:
 * `<prefix>_<workspaceId>_<secret>`. The id routes the lookup (to a shard, later); the secret
 * is what proves possession and is only stored hashed.
 */
export function mintWorkspaceToken(prefix: string, workspaceId: number): { token: string; hash: string } {
  const token = `${prefix}_${workspaceId}_${randomToken(32)}`
  return { token, hash: sha256(token) }
}

export function parseWorkspaceToken(
  prefix: string,
  token: string,
): { workspaceId: number; hash: string } | null {
  const m = new RegExp(`^${prefix}_(\\d{1,15})_[A-Za-z0-9_-]{43}$`).exec(token)
  if (!m) return null
  return { workspaceId: Number(m[1]), hash: sha256(token) }
}

/** AES-256-GCM with a key derived from the instance secret; for provider credentials at rest. */
export function encryptSecret(secret: string, plaintext: string): string {
  const key = Buffer.from(hkdfSync('sha256', secret, 'tawasul', 'secrets-at-rest', 32))
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return [
    'v1',
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    body.toString('base64url'),
  ].join('.')
}

export function decryptSecret(secret: string, sealed: string): string {
  const [version, iv, tag, body] = sealed.split('.')
  if (version !== 'v1' || !iv || !tag || !body) throw new Error('Unrecognised encrypted value')
  const key = Buffer.from(hkdfSync('sha256', secret, 'tawasul', 'secrets-at-rest', 32))
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
  decipher.setAuthTag(Buffer.from(tag, 'base64url'))
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
}
