import { jsonSchemaTransform } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { V2_TAG } from '../v2/schemas'

/**
 * The OpenAPI document's tags, in the order the docs show them. A documented route under
 * /api/v1 or /v2 must name one of these (checked by `openapiTransform`).
 */
export const OPENAPI_TAGS = [
  { name: 'Auth', description: 'First-run setup, sign-in and sessions.' },
  { name: 'Profile', description: 'The signed-in user: name, language, password, picture.' },
  { name: 'Workspaces', description: 'Workspace settings.' },
  { name: 'Users', description: 'Members, access levels and invitations.' },
  { name: 'Teams', description: 'Teams of users, used for assignment and inbox views.' },
  { name: 'API tokens', description: 'Workspace API tokens for integrations (Bearer).' },
  { name: 'Channels', description: 'Connected messaging channels and their message templates.' },
  { name: 'Contacts', description: 'Contacts: search, create, edit, tag, merge, block, timeline.' },
  { name: 'Contact fields', description: 'Custom contact fields.' },
  { name: 'Tags', description: 'Workspace tags.' },
  { name: 'Lifecycle', description: 'Lifecycle stages.' },
  { name: 'Contact import', description: 'CSV import of contacts in three phases.' },
  { name: 'Conversations', description: 'Open, close, snooze and assign a contact’s conversation.' },
  { name: 'Messages', description: 'Sending messages and reading the history.' },
  { name: 'Inbox', description: 'Inbox views, custom inboxes and read state.' },
  { name: 'Comments', description: 'Internal comments on a contact.' },
  { name: 'Files', description: 'Uploading and downloading attachments.' },
  { name: 'Notifications', description: 'Your notifications.' },
  { name: 'Closing notes', description: 'Categories for closing notes.' },
  { name: 'Snippets', description: 'Saved replies.' },
  { name: 'Webhooks', description: 'Outgoing webhooks and their delivery log.' },
  {
    name: 'Workflows',
    description: 'Workflows, versions, runs, shortcuts, incoming webhooks and credentials.',
  },
  { name: 'Sandbox', description: 'A simulated WhatsApp chat for trying the product.' },
  { name: 'Realtime', description: 'Live events over WebSocket.' },
  { name: 'System', description: 'Liveness and readiness probes.' },
  { name: V2_TAG, description: 'The respond.io-compatible Developer API v2 (docs/api-v2.md).' },
] as const

const KNOWN_TAGS = new Set<string>(OPENAPI_TAGS.map((t) => t.name))

type TransformInput = Parameters<typeof jsonSchemaTransform>[0]

/**
 * Every zod schema inside `schema`, found by walking zod's definitions (object shapes, array
 * elements, optional/nullable/default wrappers, unions, pipes, records …).
 */
function* zodSchemasIn(schema: z.core.$ZodType, seen = new Set<unknown>()): Generator<z.core.$ZodType> {
  if (seen.has(schema)) return
  seen.add(schema)
  yield schema
  const visit = function* (value: unknown, depth: number): Generator<z.core.$ZodType> {
    if (value instanceof z.core.$ZodType) yield* zodSchemasIn(value, seen)
    else if (depth < 2 && Array.isArray(value)) for (const v of value) yield* visit(v, depth + 1)
    else if (
      depth < 2 &&
      value &&
      typeof value === 'object' &&
      Object.getPrototypeOf(value) === Object.prototype
    )
      for (const v of Object.values(value)) yield* visit(v, depth + 1)
  }
  const def = schema._zod.def as unknown as Record<string, unknown>
  // `shape` (z.object) may be a lazy getter, so it is named explicitly; checks hold no schemas.
  for (const key of new Set([...Object.keys(def), 'shape'])) if (key !== 'checks') yield* visit(def[key], 0)
}

/**
 * Problems with the examples in one zod schema: every `.meta({ examples })` / `.meta({ example })`
 * found anywhere inside it must parse with the schema it is attached to, so examples cannot rot.
 */
export function exampleProblems(schema: z.core.$ZodType): string[] {
  const problems: string[] = []
  for (const s of zodSchemasIn(schema)) {
    const meta = z.globalRegistry.get(s)
    if (!meta) continue
    const examples: unknown[] = [
      ...(Array.isArray(meta.examples) ? meta.examples : []),
      ...('example' in meta ? [meta.example] : []),
    ]
    for (const example of examples) {
      const r = z.safeParse(s, example)
      if (!r.success) problems.push(`${JSON.stringify(example)}: ${z.prettifyError(r.error)}`)
    }
  }
  return problems
}

/**
 * The swagger `transform`: fastify-type-provider-zod's jsonSchemaTransform, after checking that
 * every documented /api/v1 and /v2 operation has a summary and a known tag and that its examples
 * validate. It throws (the document fails to build, and the OpenAPI test with it) rather than
 * publish an undocumented or wrongly documented operation.
 */
export function openapiTransform(input: TransformInput) {
  const { schema, url } = input
  const route = input.route as { method?: string | string[] } | undefined
  const documented = !(schema as { hide?: boolean } | undefined)?.hide
  if (documented && (url.startsWith('/api/v1/') || url.startsWith('/v2/'))) {
    const where = `${[route?.method ?? ''].flat().join(',')} ${url}`
    const s = (schema ?? {}) as Record<string, unknown>
    if (typeof s.summary !== 'string' || s.summary.trim() === '')
      throw new Error(`OpenAPI: ${where} has no summary`)
    const tags = s.tags
    if (!Array.isArray(tags) || tags.length === 0) throw new Error(`OpenAPI: ${where} has no tags`)
    for (const t of tags) if (!KNOWN_TAGS.has(t)) throw new Error(`OpenAPI: ${where} has unknown tag "${t}"`)
    const parts: [string, unknown][] = [
      ['body', s.body],
      ['querystring', s.querystring],
      ['params', s.params],
      ...Object.entries((s.response ?? {}) as Record<string, unknown>).map(
        ([code, r]) => [`response ${code}`, r] as [string, unknown],
      ),
    ]
    for (const [part, zodSchema] of parts) {
      if (!(zodSchema instanceof z.core.$ZodType)) continue
      const problems = exampleProblems(zodSchema)
      if (problems.length > 0)
        throw new Error(
          `OpenAPI: an example of ${where} (${part}) does not validate:\n${problems.join('\n')}`,
        )
    }
  }
  return restoreInputExamples(schema as Record<string, unknown> | undefined, jsonSchemaTransform(input))
}

const INPUT_PARTS = ['body', 'querystring', 'params', 'headers'] as const

const examplesMeta = (schema: unknown): unknown[] | undefined => {
  if (!(schema instanceof z.core.$ZodType)) return undefined
  const meta = z.globalRegistry.get(schema)
  if (!meta) return undefined
  const examples = [
    ...(Array.isArray(meta.examples) ? meta.examples : []),
    ...('example' in meta ? [meta.example] : []),
  ]
  return examples.length > 0 ? examples : undefined
}

/**
 * zod leaves examples out of the input JSON schema of anything that transforms (`.trim()`,
 * `.transform()`, normalizers), since an example describes the parsed value. Ours are what a
 * client sends and were just parsed by `openapiTransform`, so they go back in: on the request
 * body (or query, params, headers) itself and on its direct properties.
 */
function restoreInputExamples(
  zodParts: Record<string, unknown> | undefined,
  out: ReturnType<typeof jsonSchemaTransform>,
): ReturnType<typeof jsonSchemaTransform> {
  const json = out.schema as Record<string, unknown> | undefined
  if (!zodParts || !json) return out
  for (const part of INPUT_PARTS) {
    const zodSchema = zodParts[part]
    const target = json[part] as Record<string, unknown> | undefined
    if (!(zodSchema instanceof z.core.$ZodType) || !target || '$ref' in target) continue
    const own = examplesMeta(zodSchema)
    if (own && !('examples' in target)) target.examples = own
    const shape = (zodSchema._zod.def as { shape?: Record<string, unknown> }).shape
    const props = target.properties as Record<string, Record<string, unknown>> | undefined
    if (!shape || !props) continue
    for (const [key, prop] of Object.entries(shape)) {
      const examples = examplesMeta(prop)
      if (examples && props[key] && !('examples' in props[key])) props[key].examples = examples
    }
  }
  return out
}
