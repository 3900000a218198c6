import dns, { type LookupAddress } from 'node:dns'
import { BlockList, isIP } from 'node:net'

/**
 * Where an outgoing webhook may connect (SSRF protection).
 *
 * - forbidden, always: link-local (169.254.0.0/16 holds the cloud metadata services, fe80::/10),
 *   the AWS IPv6 metadata address fd00:ec2::254, Alibaba's 100.100.100.200, "this network",
 *   multicast, reserved and unspecified addresses.
 * - private, only when the workspace allows it (and the instance does not deny it): loopback,
 *   RFC 1918, carrier-grade NAT, benchmarking and unique-local IPv6.
 * - public: everything else.
 *
 * IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by the
 * embedded address too. Names are resolved and every address must pass, at registration and
 * again at connection time (the connection uses the address that was checked: no DNS rebinding).
 */
export type AddressClass = 'public' | 'private' | 'forbidden'

const FORBIDDEN = new BlockList()
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['169.254.0.0', 16],
  ['100.100.100.200', 32],
  ['192.0.0.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  FORBIDDEN.addSubnet(net, bits, 'ipv4')
for (const [net, bits] of [
  ['::', 128],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['fd00:ec2::254', 128],
] as const)
  FORBIDDEN.addSubnet(net, bits, 'ipv6')

const PRIVATE = new BlockList()
for (const [net, bits] of [
  ['10.0.0.0', 8],
  ['127.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10],
  ['198.18.0.0', 15],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4')
PRIVATE.addSubnet('::1', 128, 'ipv6')
PRIVATE.addSubnet('fc00::', 7, 'ipv6')

/** Eight 16-bit groups of an IPv6 address (with an optional dotted IPv4 tail). */
function hextets(ip: string): number[] | null {
  let s = ip.toLowerCase().split('%')[0]!
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s)
  if (v4) {
    const b = v4[1]!.split('.').map(Number)
    s = `${s.slice(0, -v4[1]!.length)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`
  }
  const [head, tail] = s.split('::') as [string, string | undefined]
  const h = head ? head.split(':') : []
  const t = tail ? tail.split(':') : []
  const fill = tail === undefined ? 0 : 8 - h.length - t.length
  if (fill < 0) return null
  const groups = [...h, ...Array(fill).fill('0'), ...t].map((g) => Number.parseInt(g, 16))
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : null
}

const v4of = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`

/** The IPv4 address an IPv6 address embeds, if it is one of the embedding forms. */
function embeddedV4(ip: string): string | null {
  const g = hextets(ip)
  if (!g) return null
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0)
  if (zeros(0, 5) && g[5] === 0xffff) return v4of(g[6]!, g[7]!) // ::ffff:a.b.c.d
  if (zeros(0, 6) && (g[6]! !== 0 || g[7]! > 1)) return v4of(g[6]!, g[7]!) // ::a.b.c.d
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4of(g[6]!, g[7]!) // NAT64
  if (g[0] === 0x2002) return v4of(g[1]!, g[2]!) // 6to4
  return null
}

const RANK: Record<AddressClass, number> = { public: 0, private: 1, forbidden: 2 }
const worst = (a: AddressClass, b: AddressClass) => (RANK[a] >= RANK[b] ? a : b)

export function classifyAddress(ip: string): AddressClass {
  const family = isIP(ip)
  if (family === 4) {
    if (FORBIDDEN.check(ip, 'ipv4')) return 'forbidden'
    return PRIVATE.check(ip, 'ipv4') ? 'private' : 'public'
  }
  if (family !== 6) return 'forbidden'
  const own: AddressClass = FORBIDDEN.check(ip, 'ipv6')
    ? 'forbidden'
    : PRIVATE.check(ip, 'ipv6')
      ? 'private'
      : 'public'
  const v4 = embeddedV4(ip)
  return v4 ? worst(own, classifyAddress(v4)) : own
}

/** What a URL may reach: its scheme decides whether public addresses are acceptable at all. */
export type Reach = { allowPrivate: boolean; privateOnly: boolean }

export class BlockedAddressError extends Error {
  readonly code = 'EWEBHOOKBLOCKED'
}

/** Why an address may not be used under a reach, or null when it may. */
export function refusal(ip: string, reach: Reach): string | null {
  const c = classifyAddress(ip)
  if (c === 'forbidden') return `${ip} is a link-local, metadata or reserved address and is never allowed.`
  if (c === 'private' && !reach.allowPrivate) {
    return `${ip} is a private or loopback address; allow private networks in the webhook settings to use it.`
  }
  if (c === 'public' && reach.privateOnly)
    return `http:// is only allowed for private addresses; use https://.`
  return null
}

/** The host of a URL without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1')
}

/**
 * A dns.lookup replacement for net/tls.connect: resolves, refuses the connection if `refuse`
 * names a reason for any address (thrown as `Blocked`), and hands the checked addresses to the
 * socket (so what is checked is what is used). Outgoing webhooks and workflow HTTP steps share it,
 * each with its own policy wording.
 */
export function guardedLookup(
  refuse: (ip: string) => string | null,
  Blocked: new (message: string) => Error = BlockedAddressError,
) {
  return (
    hostname: string,
    options: dns.LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, [])
      for (const a of addresses) {
        const why = refuse(a.address)
        if (why) return callback(new Blocked(`${hostname} resolves to ${why}`), [])
      }
      if (options.all) return callback(null, addresses)
      const first = addresses[0]
      if (!first)
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), [])
      callback(null, first.address, first.family)
    })
  }
}

export type UrlCheck = { ok: true; url: string } | { ok: false; message: string }

/**
 * Validates an endpoint URL at registration: https (or http to private addresses when allowed),
 * no credentials in the URL, and every address the host resolves to acceptable.
 */
export async function checkEndpointUrl(raw: string, allowPrivate: boolean): Promise<UrlCheck> {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { ok: false, message: 'Enter a valid absolute URL (https://…).' }
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, message: 'The URL must start with https:// (or http:// for a private address).' }
  }
  if (url.username || url.password) {
    return { ok: false, message: 'Put no credentials in the URL; verify the signature instead.' }
  }
  const reach: Reach = { allowPrivate, privateOnly: url.protocol === 'http:' }
  const host = hostOf(url)
  let addresses: string[]
  if (isIP(host)) addresses = [host]
  else {
    try {
      addresses = (await dns.promises.lookup(host, { all: true })).map((a) => a.address)
    } catch {
      return { ok: false, message: `The host ${host} could not be resolved.` }
    }
  }
  for (const a of addresses) {
    const why = refusal(a, reach)
    if (why) return { ok: false, message: why }
  }
  return { ok: true, url: url.href }
}
