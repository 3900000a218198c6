/**
 * Messaging windows per channel type (rules 15–22), as pure functions. A window is evaluated per
 * (contact, channel) — a contact_channels row — at send time (rule 22), independent of whether a
 * conversation is open.
 */

const HOUR = 3600_000
const DAY = 24 * HOUR

/** The three Messenger message tags allowed after the 7-day human-agent window (rule 16). */
export const MESSENGER_TAGS = ['CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE'] as const
export type MessengerTag = (typeof MESSENGER_TAGS)[number]

export type WindowPolicy =
  /** Telegram, LINE, web chat, SMS, email (rule 20). */
  | { kind: 'none' }
  /** WhatsApp: free-form within N hours of the last incoming message, then templates only (rule 15). */
  | { kind: 'template_after'; hours: number }
  /** Messenger/Instagram: 24 h free, then HUMAN_AGENT up to 7 days (humans only), then tags or nothing (rules 16–17). */
  | { kind: 'meta'; afterHumanAgent: 'message_tags' | 'nothing' }
  /** Viber: 24 h, then chatbot-initiated messages counted against a monthly free quota (rule 18). */
  | { kind: 'viber'; hours: number; monthlyFreeQuota: number }
  /** WeChat: 48 h and at most 20 outbound messages; the contact's reply resets both (rule 19). */
  | { kind: 'wechat'; hours: number; maxOutbound: number }
  /** Custom channels and TikTok: a configurable window, after which nothing can be sent (rule 21). */
  | { kind: 'fixed'; hours: number }

export const POLICIES: Record<string, WindowPolicy> = {
  whatsapp_cloud: { kind: 'template_after', hours: 24 },
  twilio_whatsapp: { kind: 'template_after', hours: 24 },
  messenger: { kind: 'meta', afterHumanAgent: 'message_tags' },
  instagram: { kind: 'meta', afterHumanAgent: 'nothing' },
  viber: { kind: 'viber', hours: 24, monthlyFreeQuota: 10_000 },
  wechat: { kind: 'wechat', hours: 48, maxOutbound: 20 },
  tiktok: { kind: 'fixed', hours: 48 },
  telegram: { kind: 'none' },
  line: { kind: 'none' },
  webchat: { kind: 'none' },
  twilio_sms: { kind: 'none' },
  email: { kind: 'none' },
  custom: { kind: 'none' },
  sandbox: { kind: 'template_after', hours: 24 },
}

/** The policy of a channel; custom channels may configure `windowHours` (rule 21). */
export function policyFor(channelType: string, config: Record<string, unknown> = {}): WindowPolicy {
  if (channelType === 'custom' && typeof config.windowHours === 'number' && config.windowHours > 0) {
    return { kind: 'fixed', hours: config.windowHours }
  }
  return POLICIES[channelType] ?? { kind: 'none' }
}

export type Identity = { lastIncomingAt: Date | null; outboundSinceIncoming: number }

/** What a channel currently lets the business send to this contact. */
export type WindowState =
  | { status: 'none' }
  | { status: 'open'; closesAt: Date; remainingOutbound?: number; humanAgentUntil?: Date }
  /** Only humans may write, with the HUMAN_AGENT tag, until `closesAt` (rules 16–17). */
  | { status: 'human_agent'; closesAt: Date; since: Date }
  | {
      status: 'expired'
      since: Date | null
      allows: 'template' | 'message_tag' | 'chatbot_initiated' | 'nothing'
      /** WeChat: the 20-message allowance ran out before the 48 hours did. */
      exhausted?: boolean
    }

export function windowState(policy: WindowPolicy, identity: Identity, now: Date): WindowState {
  if (policy.kind === 'none') return { status: 'none' }
  const last = identity.lastIncomingAt
  const at = now.getTime()
  const expiredSince = (ms: number) => (last ? new Date(last.getTime() + ms) : null)
  switch (policy.kind) {
    case 'template_after': {
      const ms = policy.hours * HOUR
      if (last && at < last.getTime() + ms) return { status: 'open', closesAt: new Date(last.getTime() + ms) }
      return { status: 'expired', since: expiredSince(ms), allows: 'template' }
    }
    case 'meta': {
      if (last && at < last.getTime() + DAY) {
        return {
          status: 'open',
          closesAt: new Date(last.getTime() + DAY),
          humanAgentUntil: new Date(last.getTime() + 7 * DAY),
        }
      }
      if (last && at < last.getTime() + 7 * DAY) {
        return {
          status: 'human_agent',
          since: new Date(last.getTime() + DAY),
          closesAt: new Date(last.getTime() + 7 * DAY),
        }
      }
      return {
        status: 'expired',
        since: expiredSince(7 * DAY),
        allows: policy.afterHumanAgent === 'message_tags' ? 'message_tag' : 'nothing',
      }
    }
    case 'viber': {
      const ms = policy.hours * HOUR
      if (last && at < last.getTime() + ms) return { status: 'open', closesAt: new Date(last.getTime() + ms) }
      return { status: 'expired', since: expiredSince(ms), allows: 'chatbot_initiated' }
    }
    case 'wechat': {
      const ms = policy.hours * HOUR
      const left = policy.maxOutbound - identity.outboundSinceIncoming
      if (last && at < last.getTime() + ms && left > 0) {
        return { status: 'open', closesAt: new Date(last.getTime() + ms), remainingOutbound: left }
      }
      if (last && at < last.getTime() + ms)
        return { status: 'expired', since: null, allows: 'nothing', exhausted: true }
      return { status: 'expired', since: expiredSince(ms), allows: 'nothing' }
    }
    case 'fixed': {
      const ms = policy.hours * HOUR
      if (last && at < last.getTime() + ms) return { status: 'open', closesAt: new Date(last.getTime() + ms) }
      return { status: 'expired', since: expiredSince(ms), allows: 'nothing' }
    }
  }
}

export type SendIntent = {
  /** Humans may use Meta's HUMAN_AGENT tag; automation may not. */
  sender: 'human' | 'automation'
  isTemplate: boolean
  messageTag?: MessengerTag | undefined
}

/** How the message must go out, when it may. */
export type SendMode =
  | { mode: 'free' }
  | { mode: 'template' }
  | { mode: 'human_agent' }
  | { mode: 'message_tag'; tag: MessengerTag }
  | { mode: 'chatbot_initiated' }

export type Decision =
  | { allowed: true; send: SendMode }
  | { allowed: false; code: string; reason: string; allows: string }

const LABEL: Record<string, string> = {
  whatsapp_cloud: 'WhatsApp',
  twilio_whatsapp: 'WhatsApp',
  sandbox: 'WhatsApp (sandbox)',
  messenger: 'Messenger',
  instagram: 'Instagram',
  viber: 'Viber',
  wechat: 'WeChat',
  tiktok: 'TikTok',
  custom: 'Custom channel',
}

export function formatAgo(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000))
  if (minutes < 60) return `${minutes} min`
  const hours = Math.round(minutes / 60)
  if (hours < 48) return `${hours} h`
  return `${Math.round(hours / 24)} days`
}

/** Decides whether a message may be sent now, and how; refusals say why and what is allowed. */
export function decideSend(
  channelType: string,
  policy: WindowPolicy,
  identity: Identity,
  now: Date,
  intent: SendIntent,
): Decision {
  const state = windowState(policy, identity, now)
  const name = LABEL[channelType] ?? channelType
  const ago = (since: Date | null) => (since ? ` ${formatAgo(now.getTime() - since.getTime())} ago` : '')
  const hasWritten = identity.lastIncomingAt !== null
  if (intent.messageTag && channelType !== 'messenger') {
    return {
      allowed: false,
      code: 'invalid_message_tag',
      reason: `${name} has no message tags.`,
      allows: 'free',
    }
  }
  if (intent.isTemplate) {
    // Templates are allowed at any time on channels that have them (rule 15).
    return { allowed: true, send: { mode: 'template' } }
  }
  if (state.status === 'none') return { allowed: true, send: { mode: 'free' } }
  if (state.status === 'open') {
    if (intent.messageTag) return { allowed: true, send: { mode: 'message_tag', tag: intent.messageTag } }
    return { allowed: true, send: { mode: 'free' } }
  }
  if (state.status === 'human_agent') {
    if (intent.messageTag) return { allowed: true, send: { mode: 'message_tag', tag: intent.messageTag } }
    if (intent.sender === 'human') return { allowed: true, send: { mode: 'human_agent' } }
    return {
      allowed: false,
      code: 'window_closed',
      reason: `${name} 24-hour window closed${ago(state.since)}: until ${state.closesAt.toISOString()} only a person can reply (HUMAN_AGENT tag)${channelType === 'messenger' ? ', or send a tagged message' : ''}.`,
      allows: channelType === 'messenger' ? 'human_agent_or_message_tag' : 'human_agent',
    }
  }
  // expired
  switch (state.allows) {
    case 'template':
      return {
        allowed: false,
        code: 'window_closed',
        reason: hasWritten
          ? `${name} 24-hour window closed${ago(state.since)}: send an approved template.`
          : `${name} allows only approved templates until the contact writes to you.`,
        allows: 'template',
      }
    case 'message_tag':
      if (intent.messageTag) return { allowed: true, send: { mode: 'message_tag', tag: intent.messageTag } }
      return {
        allowed: false,
        code: 'window_closed',
        reason: `${name} 7-day window closed${ago(state.since)}: send a tagged message (${MESSENGER_TAGS.join(', ')}), without promotional content.`,
        allows: 'message_tag',
      }
    case 'chatbot_initiated':
      return { allowed: true, send: { mode: 'chatbot_initiated' } }
    case 'nothing':
      if (state.exhausted && policy.kind === 'wechat') {
        return {
          allowed: false,
          code: 'window_closed',
          reason: `${name} allows at most ${policy.maxOutbound} messages until the contact replies; nothing can be sent now.`,
          allows: 'nothing',
        }
      }
      return {
        allowed: false,
        code: 'window_closed',
        reason: hasWritten
          ? `${name} window closed${ago(state.since)}: nothing can be sent until the contact writes again.`
          : `${name} lets you write only after the contact writes to you.`,
        allows: 'nothing',
      }
  }
}
