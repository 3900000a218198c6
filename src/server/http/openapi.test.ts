import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { z } from 'zod'
import { commentOut } from '../comments/comments.presenter'
import { contactDetailOut } from '../contacts/contacts.presenter'
import { createContactBody } from '../contacts/contacts.schema'
import { messageOut } from '../messages/messages.presenter'
import { sendMessageSchema } from '../messages/messages.schema'
import { startTestServer, type TestServer } from '../test/harness'
import { V2_TAG } from '../v2/schemas'
import { exampleProblems, OPENAPI_TAGS, openapiTransform } from './openapi'

type Operation = {
  summary?: string
  tags?: string[]
  requestBody?: { content: Record<string, MediaType> }
  responses: Record<string, { content?: Record<string, MediaType> }>
}
type MediaType = { schema?: unknown; example?: unknown; examples?: Record<string, { value: unknown }> }

/** The examples of a media type: OpenAPI's single `example` or its named `examples`. */
const examplesOf = (m: MediaType | undefined): unknown[] =>
  m === undefined
    ? []
    : [...('example' in m ? [m.example] : []), ...Object.values(m.examples ?? {}).map((e) => e.value)]

const W = '/api/v1/workspaces/{workspaceId}'
/** The key resources whose request body (when they have one) and success response carry an example. */
const KEY_OPERATIONS: [method: string, path: string, body: boolean][] = [
  ['get', `${W}/contacts`, false],
  ['post', `${W}/contacts`, true],
  ['get', `${W}/contacts/{contactId}`, false],
  ['patch', `${W}/contacts/{contactId}`, true],
  ['get', `${W}/contacts/{contactId}/conversation`, false],
  ['post', `${W}/contacts/{contactId}/conversation/close`, true],
  ['post', `${W}/contacts/{contactId}/conversation/snooze`, true],
  ['put', `${W}/contacts/{contactId}/assignee`, true],
  ['get', `${W}/contacts/{contactId}/messages`, false],
  ['post', `${W}/contacts/{contactId}/messages`, true],
  ['get', `${W}/messages/{messageId}`, false],
  ['get', `${W}/contacts/{contactId}/comments`, false],
  ['post', `${W}/contacts/{contactId}/comments`, true],
  ['get', `${W}/tags`, false],
  ['post', `${W}/tags`, true],
  ['get', `${W}/contact-fields`, false],
  ['post', `${W}/contact-fields`, true],
  ['get', `${W}/webhooks`, false],
  ['post', `${W}/webhooks`, true],
  ['get', `${W}/api-tokens`, false],
  ['post', `${W}/api-tokens`, true],
  ['get', `${W}/inbox`, false],
]

describe('OpenAPI document: summaries, tags and examples', () => {
  let server: TestServer
  let doc: { paths: Record<string, Record<string, Operation>>; tags: { name: string }[] }
  before(async () => {
    server = await startTestServer()
    const res = await server.app.inject({ url: '/api/docs/json' })
    assert.equal(res.statusCode, 200, res.body)
    doc = res.json()
  })
  after(() => server.close())

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ method, path, op })),
    )

  test('every /api/v1 and /v2 operation has a summary and a declared tag; /v2 is one tag', () => {
    const declared = new Set<string>(doc.tags.map((t) => t.name))
    assert.deepEqual(
      doc.tags.map((t) => t.name),
      OPENAPI_TAGS.map((t) => t.name),
    )
    const ops = operations().filter(({ path }) => path.startsWith('/api/v1/') || path.startsWith('/v2/'))
    assert.ok(ops.length >= 150, `${ops.length} operations`)
    for (const { method, path, op } of ops) {
      assert.ok(op.summary?.trim(), `${method} ${path} has a summary`)
      assert.ok(op.tags && op.tags.length > 0, `${method} ${path} has tags`)
      for (const t of op.tags) assert.ok(declared.has(t), `${method} ${path}: tag "${t}" is declared`)
      if (path.startsWith('/v2/')) assert.deepEqual(op.tags, [V2_TAG])
    }
    // Grouped by module: the main modules each have their own tag.
    const used = new Set(ops.flatMap(({ op }) => op.tags ?? []))
    for (const t of ['Auth', 'Users', 'Teams', 'Contacts', 'Conversations', 'Messages', 'Inbox', 'Comments'])
      assert.ok(used.has(t), `tag ${t} used`)
    for (const t of ['Files', 'Channels', 'Webhooks', 'API tokens', 'Workspaces', 'Tags', 'Contact fields'])
      assert.ok(used.has(t), `tag ${t} used`)
  })

  test('the key resources carry examples on their request bodies and success responses', () => {
    for (const [method, path, hasBody] of KEY_OPERATIONS) {
      const op = doc.paths[path]?.[method]
      assert.ok(op, `${method} ${path} documented`)
      if (hasBody) {
        const body = op.requestBody?.content['application/json']
        assert.ok(examplesOf(body).length > 0, `${method} ${path}: request body example`)
      }
      const ok = Object.entries(op.responses).filter(([code]) => code.startsWith('2'))
      assert.ok(ok.length > 0)
      for (const [code, r] of ok)
        assert.ok(
          examplesOf(r.content?.['application/json']).length > 0,
          `${method} ${path}: ${code} example`,
        )
    }
    // Realistic: Arabic and English names side by side.
    const contact = examplesOf(
      doc.paths[`${W}/contacts/{contactId}`]!.get!.responses['200']!.content!['application/json'],
    )
    assert.match(JSON.stringify(contact), /ليلى/)
    assert.match(JSON.stringify(contact), /Hassan/)
  })

  test('the examples in the document validate against the zod schemas of their routes', () => {
    const cases: [string, string, 'body' | string, z.ZodType][] = [
      ['post', `${W}/contacts`, 'body', createContactBody],
      ['post', `${W}/contacts`, '201', contactDetailOut],
      ['post', `${W}/contacts/{contactId}/messages`, 'body', sendMessageSchema],
      ['post', `${W}/contacts/{contactId}/messages`, '201', messageOut],
      ['post', `${W}/contacts/{contactId}/comments`, '201', commentOut],
    ]
    for (const [method, path, part, schema] of cases) {
      const op = doc.paths[path]![method]!
      const media =
        part === 'body'
          ? op.requestBody?.content['application/json']
          : op.responses[part]?.content?.['application/json']
      const examples = examplesOf(media)
      assert.ok(examples.length > 0, `${method} ${path} ${part}`)
      for (const e of examples) {
        const r = schema.safeParse(e)
        assert.ok(r.success, `${method} ${path} ${part}: ${r.error && z.prettifyError(r.error)}`)
      }
    }
    // And every example of every route was parsed when the document was built (openapiTransform):
    // count them, so this test notices if the walk stops finding examples.
    const count = operations().reduce((n, { op }) => {
      const media = [
        ...Object.values(op.requestBody?.content ?? {}),
        ...Object.values(op.responses).flatMap((r) => Object.values(r.content ?? {})),
      ]
      return n + media.reduce((m, x) => m + examplesOf(x).length, 0)
    }, 0)
    assert.ok(count >= 40, `${count} request/response examples`)
  })
})

describe('openapiTransform fails loudly', () => {
  const openapiObject = { openapi: '3.0.3' }
  const run = (url: string, schema: Record<string, unknown>) =>
    openapiTransform({ url, schema, route: { method: 'POST', url }, openapiObject } as never)
  const good = { tags: ['Contacts'], summary: 'Create a contact', body: createContactBody }

  test('a documented /api/v1 or /v2 route without a summary, tags or a declared tag is an error', () => {
    assert.throws(() => run('/api/v1/x', { ...good, summary: undefined }), /POST \/api\/v1\/x has no summary/)
    assert.throws(() => run('/v2/x', { ...good, summary: '  ' }), /has no summary/)
    assert.throws(() => run('/api/v1/x', { ...good, tags: [] }), /has no tags/)
    assert.throws(() => run('/api/v1/x', { ...good, tags: ['contacts'] }), /unknown tag "contacts"/)
    assert.doesNotThrow(() => run('/api/v1/x', good))
    // Hidden routes and routes outside the API are not checked.
    assert.doesNotThrow(() => run('/api/v1/x', { hide: true }))
    assert.doesNotThrow(() => run('/widget.js', {}))
  })

  test('an example that does not parse with its schema is an error, however deep it sits', () => {
    const badTop = z.strictObject({ name: z.string() }).meta({ examples: [{ name: 'ليلى', extra: 1 }] })
    assert.throws(() => run('/api/v1/x', { ...good, body: badTop }), /example of POST \/api\/v1\/x \(body\)/)
    const badDeep = z.object({
      contacts: z.array(
        z
          .object({
            phone: z
              .string()
              .max(5)
              .meta({ examples: ['+966501234567'] }),
          })
          .optional(),
      ),
    })
    assert.throws(() => run('/api/v1/x', { ...good, response: { 200: badDeep } }), /\(response 200\)/)
    assert.equal(exampleProblems(badDeep).length, 1)
    const singular = z.number().int().meta({ example: 1.5 })
    assert.equal(exampleProblems(z.object({ n: singular.nullable() })).length, 1)
    // The real schemas' examples are fine.
    for (const s of [createContactBody, sendMessageSchema, contactDetailOut, messageOut, commentOut])
      assert.deepEqual(exampleProblems(s), [])
  })
})
