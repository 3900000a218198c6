import assert from 'node:assert/strict'
import { test } from 'node:test'
import { templatePayload, templatePreview, templateSlots } from './templateFill'

// Shaped like the simulator's `order_update` (src/simulators/meta/templates.ts), as Meta lists it.
const orderUpdate = {
  name: 'order_update',
  language: 'en',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}' },
    { type: 'BODY', text: 'Hi {{1}}, your order is {{2}}.' },
    { type: 'FOOTER', text: 'Acme' },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'QUICK_REPLY', text: 'Thanks' },
        { type: 'URL', text: 'Track', url: 'https://shop.example/track/{{1}}' },
      ],
    },
  ],
}

test('templateSlots lists header, body and URL-button variables in order', () => {
  assert.deepEqual(
    templateSlots(orderUpdate.components).map((s) => `${s.part}.${s.index}.${s.n}`),
    ['header.0.1', 'body.0.1', 'body.0.2', 'button.1.1'],
  )
  assert.deepEqual(templateSlots([{ type: 'BODY', text: 'No variables' }]), [])
})

test('templatePayload builds the send payload the server validates', () => {
  const values = {
    'header.0.1': '#1001',
    'body.0.1': 'Layla',
    'body.0.2': 'on its way',
    'button.1.1': '1001',
  }
  assert.deepEqual(templatePayload(orderUpdate, values), {
    name: 'order_update',
    language: 'en',
    header: ['#1001'],
    body: ['Layla', 'on its way'],
    buttons: [{ index: 1, value: '1001' }],
  })
  assert.deepEqual(templatePayload({ name: 'hello_world', language: 'en_US', components: [] }, {}), {
    name: 'hello_world',
    language: 'en_US',
  })
})

test('templatePreview fills what is known and keeps the rest visible', () => {
  const parts = templatePreview(orderUpdate.components, { 'body.0.1': 'Layla' })
  assert.deepEqual(
    parts.map((p) => `${p.kind}:${p.text}`),
    [
      'header:Order {{1}}',
      'body:Hi Layla, your order is {{2}}.',
      'footer:Acme',
      'button:Thanks',
      'button:Track',
    ],
  )
})
