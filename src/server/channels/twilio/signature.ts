import { createHmac } from 'node:crypto'

/**
 * X-Twilio-Signature (https://www.twilio.com/docs/usage/security#validating-requests): the full
 * URL Twilio called, then every POST parameter sorted by name, each name followed by its value
 * with no separators, HMAC-SHA1 with the Auth Token, base64.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url)
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64')
}
