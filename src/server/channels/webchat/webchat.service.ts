import { z } from 'zod'
import { safeEqual } from '../../auth/crypto'
import { workspaceBusinessHours } from '../../business-hours/business-hours.service'
import { isOpen, nextOpenAt, scheduleOf } from '../../business-hours/schedule'
import type { Ctx } from '../../context'
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../../errors'
import { signedFileUrl } from '../../files/files.service'
import { ingest } from '../../ingest/ingest'
import { findByProviderId } from '../../messages/messages.repo'
import type { InboundEvent } from '../channel'
import { type ChannelRow, findChannel } from '../channels.repo'
import { toRef } from '../channels.service'
import type { WebchatConfig, WebchatSecrets } from './webchat.channel'
import { type VisitorMessageRow, visitorMessages, visitorMessagesByIds } from './webchat.repo'
import {
  issueVisitorToken,
  readVisitorToken,
  VISITOR_TOKEN_SECONDS,
  type VisitorClaims,
  verifyIdentity,
} from './webchat.token'

export type Widget = { row: ChannelRow; config: WebchatConfig; secrets: WebchatSecrets }

/**
 * The widget's public key (data-channel): `<workspace>.<channel>.<key>`, the key being the channel's
 * random webhook key, which this channel type does not otherwise use. Unknown, disconnected or
 * wrong-key widgets are all simply "not found".
 */
export async function widgetByKey(ctx: Ctx, key: string): Promise<Widget> {
  const m = /^(\d{1,15})\.(\d{1,15})\.([A-Za-z0-9_-]{16,64})$/.exec(key)
  const row = m ? await findChannel(ctx.db, Number(m[1]), Number(m[2])) : undefined
  if (!m || row?.type !== 'webchat' || row.status !== 'active' || !safeEqual(row.webhookKey, m[3]!)) {
    throw new NotFoundError('Chat widget')
  }
  const { ref } = toRef(ctx, row)
  return { row, config: ref.config as WebchatConfig, secrets: ref.secrets as WebchatSecrets }
}

export function widgetKey(row: Pick<ChannelRow, 'workspaceId' | 'id' | 'webhookKey'>): string {
  return `${row.workspaceId}.${row.id}.${row.webhookKey}`
}

/** Every visitor endpoint answers only pages on the channel's allowed origins. */
export function allowedOrigin(w: Widget, origin: string | undefined): string {
  const o = origin?.toLowerCase().replace(/\/+$/, '')
  if (!o || !(w.config.allowedOrigins.includes('*') || w.config.allowedOrigins.includes(o))) {
    throw new ForbiddenError(
      `This chat widget is not enabled for ${origin ?? 'this page'}.`,
      'origin_not_allowed',
    )
  }
  return origin!
}

/** Whether the team is in business hours now, and when it next is; null: no business hours set. */
export const availabilitySchema = z.strictObject({
  open: z.boolean(),
  /** When a closed team opens again (ISO); null while open, or when the hours never open. */
  nextOpenAt: z.iso.datetime().nullable(),
})
export type Availability = z.infer<typeof availabilitySchema>

/** What the widget fetches on start (GET /widget/v1/:key/config). */
export const publicConfigSchema = z.strictObject({
  title: z.string(),
  greeting: z.string(),
  color: z.string(),
  preChat: z.strictObject({ enabled: z.boolean(), requireName: z.boolean(), requireEmail: z.boolean() }),
  position: z.enum(['end', 'start']),
  availability: availabilitySchema.nullable(),
})

/** The workspace's business hours at the server's now, in the workspace's time zone. */
export async function widgetAvailability(ctx: Ctx, workspaceId: number): Promise<Availability | null> {
  const { timezone, hours } = await workspaceBusinessHours(ctx.db, workspaceId)
  if (!hours.enabled) return null
  const schedule = scheduleOf(hours)
  const now = ctx.clock.now()
  if (isOpen(schedule, timezone, now)) return { open: true, nextOpenAt: null }
  return { open: false, nextOpenAt: nextOpenAt(schedule, timezone, now)?.toISOString() ?? null }
}

export async function publicConfig(ctx: Ctx, w: Widget): Promise<z.infer<typeof publicConfigSchema>> {
  const { title, greeting, color, preChat, position } = w.config
  const availability = await widgetAvailability(ctx, w.row.workspaceId)
  return { title, greeting, color, preChat, position, availability }
}

export const sessionSchema = z.strictObject({
  visitorId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  user: z
    .strictObject({
      id: z.string().trim().min(1).max(100),
      email: z.email().max(254).optional(),
      name: z.string().trim().max(200).optional(),
      hash: z.string().regex(/^[0-9a-fA-F]{64}$/),
    })
    .optional(),
})

/**
 * Exchanges the widget's visitor id (kept in the browser's localStorage) for a short-lived token.
 * With a `user` signed by the site's backend (webchat.token.ts), the visitor is that user on
 * every device; a wrong signature is refused rather than downgraded to anonymous.
 */
export function startSession(ctx: Ctx, w: Widget, input: z.infer<typeof sessionSchema>) {
  const exp = Math.floor(ctx.clock.now().getTime() / 1000) + VISITOR_TOKEN_SECONDS
  let claims: VisitorClaims
  if (input.user) {
    if (!verifyIdentity(w.secrets.identitySecret, input.user)) {
      throw new UnauthenticatedError('The user identity signature is not valid for this chat widget.')
    }
    claims = {
      w: w.row.workspaceId,
      c: w.row.id,
      i: `u_${input.user.id}`,
      exp,
      v: 1,
      ...(input.user.name ? { n: input.user.name } : {}),
      ...(input.user.email ? { e: input.user.email } : {}),
    }
  } else {
    claims = { w: w.row.workspaceId, c: w.row.id, i: `v_${input.visitorId}`, exp }
  }
  return {
    token: issueVisitorToken(ctx.config.secret, claims),
    expiresAt: new Date(exp * 1000).toISOString(),
    verified: claims.v === 1,
  }
}

export function visitorFromToken(ctx: Ctx, w: Widget, header: string | undefined): VisitorClaims {
  const token = header?.replace(/^Bearer\s+/i, '')
  const claims = token
    ? readVisitorToken(ctx.config.secret, token, w.row, Math.floor(ctx.clock.now().getTime() / 1000))
    : undefined
  if (!claims) throw new UnauthenticatedError('The visitor token is missing, invalid or expired.')
  return claims
}

/** A message as the visitor sees it. */
export function presentForVisitor(ctx: Ctx, m: VisitorMessageRow) {
  const media = m.content.media as { fileId?: number; url?: string; fileName?: string } | undefined
  return {
    id: m.id,
    from: m.direction === 'in' ? ('visitor' as const) : ('agent' as const),
    type: m.type,
    text: m.text,
    media: media
      ? {
          url: media.fileId ? signedFileUrl(ctx, m.workspaceId, media.fileId) : (media.url ?? null),
          fileName: media.fileName ?? null,
        }
      : null,
    status: m.status,
    createdAt: m.createdAt.toISOString(),
  }
}
export type VisitorMessage = ReturnType<typeof presentForVisitor>

/** Agent messages are shown once handed to the channel (not while pending, not when failed). */
const visible = (m: VisitorMessageRow) => m.direction === 'in' || !['pending', 'failed'].includes(m.status)

export async function visitorHistory(ctx: Ctx, w: Widget, v: VisitorClaims) {
  const rows = await visitorMessages(ctx.db, w.row.workspaceId, w.row.id, v.i, 100)
  return rows
    .filter(visible)
    .reverse()
    .map((m) => presentForVisitor(ctx, m))
}

/** The message a send job is delivering right now (its status is still pending while it does). */
export async function deliveringMessage(ctx: Ctx, w: Widget, v: VisitorClaims, messageId: number) {
  const [m] = await visitorMessagesByIds(ctx.db, w.row.workspaceId, w.row.id, v.i, [messageId])
  return m && m.status !== 'failed' ? presentForVisitor(ctx, m) : undefined
}

export const visitorSendSchema = z.strictObject({
  /** Chosen by the widget per message: a retried POST is stored once. */
  clientId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  text: z.string().trim().min(1).max(4000),
  name: z.string().trim().max(200).optional(),
  email: z.email().max(254).optional(),
  language: z.string().max(15).optional(),
})

/** A visitor's message goes through ingest like any channel's inbound message (rules 2–4, 52). */
export async function receiveVisitorMessage(
  ctx: Ctx,
  w: Widget,
  v: VisitorClaims,
  input: z.infer<typeof visitorSendSchema>,
) {
  const providerMessageId = `v-${v.i}-${input.clientId}`.slice(0, 200)
  if (w.config.preChat.enabled && !v.v) {
    if (w.config.preChat.requireEmail && !input.email)
      throw new ValidationError('email: Required before chatting.', [{ path: 'email', message: 'Required.' }])
    if (w.config.preChat.requireName && !input.name)
      throw new ValidationError('name: Required before chatting.', [{ path: 'name', message: 'Required.' }])
  }
  const name = v.n ?? input.name
  const email = v.e ?? input.email
  const event: InboundEvent = {
    kind: 'message',
    providerMessageId,
    from: {
      identifier: v.i,
      ...(name ? { displayName: name } : {}),
      ...(email ? { email } : {}),
      ...(input.language ? { language: input.language.slice(0, 2) } : {}),
    },
    timestamp: ctx.clock.now(),
    type: 'text',
    text: input.text,
  }
  await ingest(ctx, w.row, [event])
  const stored = await findByProviderId(ctx.db, w.row.workspaceId, w.row.id, providerMessageId)
  return presentForVisitor(ctx, stored!)
}

export const ackSchema = z.strictObject({
  messageIds: z.array(z.number().int().positive()).min(1).max(100),
  status: z.enum(['delivered', 'read']),
})

/** The widget's receipts: agent messages shown (delivered) or seen with the chat open (read). */
export async function acknowledge(ctx: Ctx, w: Widget, v: VisitorClaims, input: z.infer<typeof ackSchema>) {
  const mine = await visitorMessagesByIds(ctx.db, w.row.workspaceId, w.row.id, v.i, input.messageIds)
  const now = ctx.clock.now()
  const events: InboundEvent[] = mine
    .filter((m) => m.direction === 'out')
    .map((m) => ({ kind: 'status', providerMessageId: `wc-${m.id}`, status: input.status, timestamp: now }))
  const result = await ingest(ctx, w.row, events)
  return { acknowledged: events.length, applied: result.statuses }
}
