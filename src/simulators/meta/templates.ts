/**
 * The simulator's own template registry, shaped like `GET /{waba-id}/message_templates` items.
 * `hello_world` is the template every new WhatsApp Business Account gets.
 */
export type SimTemplate = {
  id: string
  name: string
  language: string
  status: 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED'
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION'
  components: Record<string, unknown>[]
}

export function defaultTemplates(): SimTemplate[] {
  return [
    {
      id: '1192339204654487',
      name: 'hello_world',
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
        {
          type: 'BODY',
          text: 'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us.',
        },
        { type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
      ],
    },
    {
      id: '1192339204654488',
      name: 'order_update',
      language: 'en',
      status: 'APPROVED',
      category: 'UTILITY',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['#1001'] } },
        {
          type: 'BODY',
          text: 'Hi {{1}}, your order is {{2}}.',
          example: { body_text: [['Layla', 'on its way']] },
        },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'QUICK_REPLY', text: 'Thanks' },
            {
              type: 'URL',
              text: 'Track',
              url: 'https://shop.example/track/{{1}}',
              example: ['https://shop.example/track/1001'],
            },
          ],
        },
      ],
    },
    {
      id: '1192339204654489',
      name: 'order_update',
      language: 'ar',
      status: 'APPROVED',
      category: 'UTILITY',
      components: [
        { type: 'BODY', text: 'مرحبا {{1}}، طلبك {{2}}.', example: { body_text: [['ليلى', 'في الطريق']] } },
      ],
    },
    {
      id: '1192339204654490',
      name: 'spring_sale',
      language: 'en',
      status: 'PAUSED',
      category: 'MARKETING',
      components: [{ type: 'BODY', text: 'Our spring sale starts today.' }],
    },
  ]
}

const VAR = /\{\{(\d+)\}\}/g
export const varCount = (text: unknown) =>
  typeof text === 'string' ? new Set([...text.matchAll(VAR)].map((m) => m[1])).size : 0
