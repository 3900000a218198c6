import { createHash, createHmac } from 'node:crypto'

/** `<id@host>` with the brackets, whatever the header gave (some clients drop them). */
export function normalizeMessageId(raw: string | undefined | null): string | undefined {
  const s = (raw ?? '').trim()
  if (!s) return undefined
  const inner = s.replace(/^<+/, '').replace(/>+$/, '').trim()
  return inner && !/\s/.test(inner) ? `<${inner}>` : undefined
}

/** Every Message-ID in a References / In-Reply-To value, in order, without duplicates. */
export function messageIdList(raw: string | string[] | undefined | null): string[] {
  const parts = (Array.isArray(raw) ? raw : [raw ?? '']).flatMap((v) => v.match(/<[^<>\s]+>/g) ?? [])
  return [...new Set(parts.map((p) => normalizeMessageId(p)!).filter(Boolean))]
}

export function domainOf(address: string): string {
  return address.split('@').pop()!.toLowerCase()
}

/**
 * The Message-ID of a message we send: derived from its id, so a retried send job uses the same
 * one (receivers deduplicate), and on the channel address's domain. The HMAC keeps our ids
 * unguessable, so nobody can forge a reference into another contact's thread by counting.
 */
export function outboundMessageId(secret: string, workspaceId: number, messageId: number, domain: string) {
  const tag = createHmac('sha256', secret)
    .update(`email:${workspaceId}:${messageId}`)
    .digest('hex')
    .slice(0, 16)
  return `<tws.${workspaceId}.${messageId}.${tag}@${domain}>`
}

/** A message without a Message-ID still needs a stable one so a redelivery is recognised. */
export function syntheticMessageId(raw: Buffer): string {
  return `<sha256.${createHash('sha256').update(raw).digest('hex').slice(0, 40)}@missing-message-id.tawasul>`
}

/** RFC 5322 advises keeping the first reference and the latest ones when the list grows long. */
export function trimReferences(refs: string[], max = 20): string[] {
  const unique = [...new Set(refs)]
  return unique.length <= max ? unique : [unique[0]!, ...unique.slice(-(max - 1))]
}
