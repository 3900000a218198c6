import { randomBytes } from 'node:crypto'
import {
  type Deliver,
  type MetaSimulator,
  startMetaSimulator,
  type ThreadItem,
} from '../../simulators/meta/meta-simulator'
import { authorize, type Principal, requireUser } from '../auth/principal'
import { type ChannelRow, listChannels, updateChannel } from '../channels/channels.repo'
import { createChannel, toRef, webhookPath } from '../channels/channels.service'
import type { Ctx } from '../context'
import { NotFoundError, UnprocessableError } from '../errors'
import { findUserById } from '../users/users.repo'

/**
 * The Sandbox (issue 4 item 9): right after setup, a user chats with themselves as a customer on a
 * simulated WhatsApp number. The Graph API simulator runs in this process; the channel is a real
 * `whatsapp_cloud` channel pointed at it, so messages take the product's real paths: signed
 * webhooks through the webhook route, the send job through the Cloud API protocol.
 */
export const SANDBOX_NAME = 'Sandbox'

const isSandbox = (c: ChannelRow) =>
  c.type === 'whatsapp_cloud' &&
  c.name === SANDBOX_NAME &&
  c.status !== 'disconnected' &&
  /^http:\/\/127\.0\.0\.1:\d+\/?$/.test(String(c.config.apiBaseUrl))

/** One simulator per sandbox channel, started on demand and closed with the server. */
export type SandboxHub = {
  simulatorFor: (channel: ChannelRow) => Promise<MetaSimulator>
  close: () => Promise<void>
}

export function createSandboxHub(ctx: Ctx, deliver: Deliver): SandboxHub {
  const sims = new Map<string, Promise<MetaSimulator>>()
  return {
    simulatorFor(channel) {
      const key = `${channel.workspaceId}:${channel.id}`
      let sim = sims.get(key)
      if (!sim) {
        sim = (async () => {
          const { ref } = toRef(ctx, channel)
          const s = await startMetaSimulator({
            host: '127.0.0.1',
            clock: () => ctx.clock.now(),
            accessToken: String(ref.secrets.accessToken),
            appSecret: String(ref.secrets.appSecret),
            whatsapp: {
              phoneNumberId: String(ref.config.phoneNumberId),
              wabaId: String(ref.config.businessAccountId),
              verifiedName: SANDBOX_NAME,
            },
            statusDelayMs: 400,
            deliver,
          })
          s.connect('whatsapp', `${ctx.config.publicUrl}${webhookPath(channel)}`)
          // After a restart the simulator has a new port: point the channel at it.
          if (channel.config.apiBaseUrl !== s.url)
            await updateChannel(ctx.db, channel.workspaceId, channel.id, {
              config: { ...channel.config, apiBaseUrl: s.url },
            })
          return s
        })()
        sims.set(key, sim)
        sim.catch(() => sims.delete(key))
      }
      return sim
    },
    async close() {
      const all = [...sims.values()]
      sims.clear()
      await Promise.all(all.map(async (s) => (await s).close()))
    },
  }
}

async function sandboxChannel(ctx: Ctx, workspaceId: number) {
  return (await listChannels(ctx.db, workspaceId)).find(isSandbox)
}

/** The signed-in user's own customer number: fictional (+1 555 range) and stable per user. */
export const customerNumberOf = (userId: number) => `1555${String(userId % 10_000_000).padStart(7, '0')}`

/** Connects the sandbox channel (owners and managers: rule 104 row 11). Idempotent. */
export async function startSandbox(ctx: Ctx, p: Principal, hub: SandboxHub) {
  authorize(p, 'settings.channels')
  let channel = await sandboxChannel(ctx, p.workspaceId)
  let created = false
  if (!channel) {
    const id = () => String(BigInt(`0x${randomBytes(6).toString('hex')}`))
    const result = await createChannel(ctx, p, {
      type: 'whatsapp_cloud',
      name: SANDBOX_NAME,
      // The simulator's port is known once it runs; 127.0.0.1:9 stands in until then.
      config: { phoneNumberId: id(), businessAccountId: id(), apiBaseUrl: 'http://127.0.0.1:9' },
      secrets: {
        accessToken: `EAAG${randomBytes(24).toString('base64url')}`,
        appSecret: randomBytes(16).toString('hex'),
      },
    })
    channel = result.channel
    created = true
  }
  const sim = await hub.simulatorFor(channel)
  return { channel: (await sandboxChannel(ctx, p.workspaceId)) ?? channel, sim, created }
}

export type SandboxLine = {
  id: string
  /** From the signed-in user's point of view as the customer. */
  from: 'customer' | 'business'
  type: string
  text: string
  at: string
  status: string | null
  error: string | null
}

/** The parts of a Cloud API message payload the customer's phone shows. */
type Payload = {
  text?: { body?: string }
  interactive?: {
    type?: string
    body?: { text?: string }
    action?: {
      buttons?: { reply?: { title?: string } }[]
      sections?: { rows?: { title?: string }[] }[]
    }
  }
  template?: { name?: string; components?: { parameters?: { text?: string }[] }[] }
  location?: { name?: string; latitude?: number; longitude?: number }
} & Record<string, { caption?: string; filename?: string; link?: string } | undefined>

/** What the customer's phone shows for a message the business sent (Cloud API payload). */
function describe(item: ThreadItem): string {
  const p = item.payload as Payload
  switch (item.type) {
    case 'text':
      return p.text?.body ?? ''
    case 'interactive': {
      const i = p.interactive ?? {}
      const options =
        i.type === 'button'
          ? (i.action?.buttons ?? []).map((b) => b.reply?.title)
          : (i.action?.sections ?? []).flatMap((s) => (s.rows ?? []).map((r) => r.title))
      return [i.body?.text, ...options.map((o) => `[${o}]`)].filter(Boolean).join('\n')
    }
    case 'template': {
      const values = (p.template?.components ?? []).flatMap((c) =>
        (c.parameters ?? []).map((x) => x.text).filter(Boolean),
      )
      return [p.template?.name, ...values].filter(Boolean).join(' · ')
    }
    case 'location':
      return [p.location?.name, `${p.location?.latitude}, ${p.location?.longitude}`]
        .filter(Boolean)
        .join(' — ')
    default: {
      const media = p[item.type] ?? {}
      return [media.caption, media.filename ?? media.link].filter(Boolean).join(' — ')
    }
  }
}

export async function sandboxView(ctx: Ctx, p: Principal, hub: SandboxHub) {
  authorize(p, 'settings.channels')
  const user = requireUser(p)
  const channel = await sandboxChannel(ctx, p.workspaceId)
  const customer = customerNumberOf(user.userId)
  if (!channel) return { channel: null, customerNumber: `+${customer}`, businessNumber: null, lines: [] }
  const sim = await hub.simulatorFor(channel)
  const lines: SandboxLine[] = sim.thread(customer).map((item) => ({
    id: item.id,
    from: item.direction === 'in' ? 'customer' : 'business',
    type: item.type,
    text: item.direction === 'in' ? (item.text ?? '') : describe(item),
    at: item.at.toISOString(),
    status: item.direction === 'out' ? (item.status ?? null) : null,
    error: item.error ?? null,
  }))
  return {
    channel: { id: channel.id, name: channel.name },
    customerNumber: `+${customer}`,
    businessNumber: `+${sim.whatsappAccount.displayPhoneNumber}`,
    lines,
  }
}

/** The signed-in user writes as the customer: the simulator posts a signed webhook to our real route. */
export async function sendAsCustomer(ctx: Ctx, p: Principal, hub: SandboxHub, text: string) {
  authorize(p, 'settings.channels')
  const user = requireUser(p)
  const channel = await sandboxChannel(ctx, p.workspaceId)
  if (!channel) throw new NotFoundError('The sandbox channel')
  const sim = await hub.simulatorFor(channel)
  const name = (await findUserById(ctx.db, user.userId))?.name ?? 'Sandbox customer'
  const res = await sim.sendInbound({ from: customerNumberOf(user.userId), name, text })
  if (res.status !== 200)
    throw new UnprocessableError(
      `The webhook answered ${res.status}; the message was not stored.`,
      'sandbox_webhook_failed',
    )
  return { id: res.id }
}
