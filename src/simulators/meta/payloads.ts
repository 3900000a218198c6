import { randomBytes } from 'node:crypto'

/**
 * Webhook envelopes as Meta sends them. WhatsApp: developers.facebook.com/documentation/
 * business-messaging/whatsapp/webhooks/reference/messages (messages and status). Messenger and
 * Instagram: developers.facebook.com/docs/messenger-platform/webhooks (entry[].messaging[]).
 */
export type WhatsappAccount = {
  phoneNumberId: string
  wabaId: string
  displayPhoneNumber: string
  verifiedName: string
}

export const wamid = () => `wamid.${randomBytes(24).toString('base64url')}`
export const mid = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`
const seconds = (d: Date) => String(Math.floor(d.getTime() / 1000))

function whatsappEnvelope(account: WhatsappAccount, value: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: account.wabaId,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: account.displayPhoneNumber,
                phone_number_id: account.phoneNumberId,
              },
              ...value,
            },
            field: 'messages',
          },
        ],
      },
    ],
  }
}

export function whatsappMessageWebhook(
  account: WhatsappAccount,
  from: { waId: string; name: string },
  message: Record<string, unknown>,
) {
  return whatsappEnvelope(account, {
    contacts: [{ profile: { name: from.name }, wa_id: from.waId }],
    messages: [message],
  })
}

export type WaStatus = {
  id: string
  status: 'sent' | 'delivered' | 'read' | 'failed'
  at: Date
  recipient: string
  error?: { code: number; title: string; message: string; details: string }
  /** Set on the first status of a business-initiated or service conversation. */
  category?: string
}

export function whatsappStatusWebhook(account: WhatsappAccount, s: WaStatus) {
  const billable = s.status !== 'failed' && s.category
  return whatsappEnvelope(account, {
    statuses: [
      {
        id: s.id,
        status: s.status,
        timestamp: seconds(s.at),
        recipient_id: s.recipient,
        ...(billable
          ? {
              conversation: {
                id: randomBytes(16).toString('hex'),
                ...(s.status === 'sent'
                  ? { expiration_timestamp: seconds(new Date(s.at.getTime() + 24 * 3600_000)) }
                  : {}),
                origin: { type: s.category },
              },
              pricing: { billable: true, pricing_model: 'PMP', category: s.category },
            }
          : {}),
        ...(s.error
          ? {
              errors: [
                {
                  code: s.error.code,
                  title: s.error.title,
                  message: s.error.message,
                  error_data: { details: s.error.details },
                  href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
                },
              ],
            }
          : {}),
      },
    ],
  })
}

export function messagingWebhook(
  object: 'page' | 'instagram',
  accountId: string,
  at: Date,
  events: Record<string, unknown>[],
) {
  return { object, entry: [{ id: accountId, time: at.getTime(), messaging: events }] }
}

export { seconds as unixSeconds }
