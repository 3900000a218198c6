import { ChannelAuthError, PermanentSendError } from '../channel'

/**
 * Twilio error codes we explain (https://www.twilio.com/docs/api/errors). Anything else in the
 * 4xx range is permanent with Twilio's own message; 429 (20429) and 5xx are retried.
 */
export const TWILIO_ERRORS: Record<string, string> = {
  '20003': 'Twilio rejected the Account SID or Auth Token.',
  '20404': 'Twilio could not find this resource (check the Account SID).',
  '21211': "The recipient's phone number is not valid.",
  '21408': 'Sending to this region is not enabled on the Twilio account.',
  '21602': 'The message needs a body or media.',
  '21606': 'The "From" number cannot send messages on this channel.',
  '21610':
    'The recipient unsubscribed (replied STOP); they must reply START before you can message them again.',
  '21612': 'Twilio cannot route messages between these two numbers.',
  '21614': "The recipient's number is not a mobile number.",
  '21617': 'The message body is longer than Twilio allows (1,600 characters).',
  '21656': 'The template variables (ContentVariables) are not valid.',
  '63016':
    'WhatsApp 24-hour window closed: free-form messages are refused until the contact writes again; send an approved template.',
  '63018': 'WhatsApp rate limit for this number was exceeded.',
  '63024': 'The recipient is not a valid WhatsApp user.',
  '30003': 'The handset is unreachable.',
  '30004': 'The recipient blocked the message.',
  '30005': 'The number is unknown or no longer exists.',
  '30006': 'The number cannot receive this message (landline or unreachable carrier).',
  '30007': 'The carrier filtered the message.',
  '30008': 'Unknown delivery error.',
}

export const twilioErrorTitle = (code: string, fallback?: string) =>
  TWILIO_ERRORS[code] ?? fallback ?? `Twilio error ${code}.`

/** Turns a failed REST answer into a permanent error or a retryable one. */
export function twilioSendError(status: number, body: { code?: number; message?: string }): Error {
  const code = body.code ? String(body.code) : String(status)
  if (status === 429 || status >= 500 || code === '20429') {
    return new Error(`Twilio answered ${status} (${code}): ${body.message ?? 'try again later'}`)
  }
  // Broken credentials mark the channel itself in error (the settings page says so).
  if (status === 401 || code === '20003')
    return new ChannelAuthError(code, twilioErrorTitle(code, body.message), body.message)
  return new PermanentSendError(code, twilioErrorTitle(code, body.message), body.message)
}
