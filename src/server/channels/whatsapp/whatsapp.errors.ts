import type { ErrorRule, GraphError } from '../meta-graph'

/**
 * Cloud API error codes (developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes)
 * with a clear reason and whether a retry can help. Codes shared by all Graph products (0, 3, 4,
 * 10, 190, 200…) are in meta-graph.ts.
 */
export const WHATSAPP_ERRORS: Record<number, ErrorRule> = {
  100: { retry: false, title: 'WhatsApp rejected a parameter of the message (invalid parameter).' },
  130429: { retry: true, title: "The number reached Cloud API's throughput limit; retrying." },
  130472: {
    retry: false,
    title: "The customer's number is part of a WhatsApp experiment; the template was not delivered.",
  },
  130497: { retry: false, title: 'The business cannot message customers in this country.' },
  131000: { retry: true, title: 'WhatsApp failed to send the message (unknown error); retrying.' },
  131005: {
    retry: false,
    channel: true,
    title: 'Access denied: the token lacks the whatsapp_business_messaging permission.',
  },
  131008: { retry: false, title: 'A required parameter is missing from the message.' },
  131009: { retry: false, title: 'A parameter value is not valid for WhatsApp.' },
  131016: { retry: true, title: 'WhatsApp is temporarily unavailable; retrying.' },
  131021: { retry: false, title: 'The recipient is the business number itself.' },
  131026: {
    retry: false,
    title:
      'Message undeliverable: the number may not be on WhatsApp, may use an old app version, or has not accepted the latest terms.',
  },
  131030: {
    retry: false,
    title: "The recipient is not in the test number's allowed list; add it in the Meta app dashboard.",
  },
  131031: { retry: false, channel: true, title: 'The WhatsApp Business Account is locked or restricted.' },
  131042: {
    retry: false,
    channel: true,
    title: 'Payment problem on the WhatsApp Business Account; fix the payment method in Meta.',
  },
  131045: { retry: false, channel: true, title: 'The phone number is not registered with the Cloud API.' },
  131047: {
    retry: false,
    title:
      'Re-engagement required: more than 24 hours have passed since the customer last wrote, so only an approved template can be sent.',
  },
  131048: { retry: true, title: 'Spam rate limit reached for this number; retrying later.' },
  131049: {
    retry: false,
    title: 'Meta chose not to deliver this marketing template to keep engagement healthy.',
  },
  131050: { retry: false, title: 'The customer stopped marketing messages from this business.' },
  131051: { retry: false, title: 'WhatsApp does not support this message type.' },
  131052: { retry: false, title: "WhatsApp could not download the customer's media." },
  131053: { retry: false, title: 'WhatsApp could not fetch the media from our link (check PUBLIC_URL).' },
  131056: {
    retry: true,
    title: 'Too many messages to this customer in a short time (pair rate limit); retrying.',
  },
  131057: { retry: false, channel: true, title: 'The WhatsApp Business Account is in maintenance mode.' },
  132000: { retry: false, title: "The template's parameter count does not match its definition." },
  132001: { retry: false, title: 'The template does not exist in this language, or is not approved yet.' },
  132005: { retry: false, title: 'The filled template text is too long.' },
  132007: { retry: false, title: "The template's content violates a WhatsApp policy." },
  132012: { retry: false, title: "A template parameter's format does not match its definition." },
  132015: { retry: false, title: 'The template is paused for low quality.' },
  132016: { retry: false, title: 'The template is disabled for low quality.' },
  133004: { retry: true, title: 'The WhatsApp server is temporarily unavailable; retrying.' },
  133010: { retry: false, channel: true, title: 'The phone number is not registered with WhatsApp.' },
}

export const whatsappRule = (e: GraphError): ErrorRule | undefined =>
  e.code === undefined ? undefined : WHATSAPP_ERRORS[e.code]

/** Our clear reason for a code in a failed-status webhook (nothing is retried there). */
export function errorTitle(code: number): string | undefined {
  return WHATSAPP_ERRORS[code]?.title.replace(/; retrying( later)?\.$/, '.')
}
