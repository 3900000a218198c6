import assert from 'node:assert/strict'
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import ar from '../../web/i18n/ar.json'
import en from '../../web/i18n/en.json'
import { CHANNELS } from './registry'

type Tree = { [k: string]: string | Tree }
const lookup = (tree: Tree, key: string) =>
  key
    .split('.')
    .reduce<string | Tree | undefined>((t, k) => (t && typeof t === 'object' ? t[k] : undefined), tree)

test('every channel folder is registered, and every type once', () => {
  const dir = import.meta.dirname
  const folders = readdirSync(dir).filter((f) => statSync(path.join(dir, f)).isDirectory())
  const types = CHANNELS.map((c) => c.type)
  for (const folder of folders) {
    assert.ok(
      types.some((t) => t === folder || t.startsWith(`${folder}_`)),
      `channels/${folder} has no adapter in CHANNELS (registry.ts)`,
    )
  }
  assert.equal(new Set(types).size, types.length, 'duplicate channel types')
})

test('setup fields name real config/secret keys and have labels and help in English and Arabic', () => {
  for (const adapter of CHANNELS) {
    for (const field of adapter.setup ?? []) {
      const schema = (field.in === 'config' ? adapter.configSchema : adapter.secretsSchema) as unknown as {
        shape?: Record<string, unknown>
      }
      assert.ok(
        schema.shape && field.key in schema.shape,
        `${adapter.type}: ${field.in}.${field.key} is not in its schema`,
      )
      for (const [lang, tree] of [
        ['en', en],
        ['ar', ar],
      ] as const) {
        for (const key of [field.label, field.help].filter((k): k is string => Boolean(k))) {
          const value = lookup(tree as unknown as Tree, key)
          assert.ok(
            typeof value === 'string' && value.trim(),
            `${lang}: missing "${key}" (${adapter.type}.${field.key})`,
          )
        }
      }
    }
  }
})

test('every required config and secret has a setup field (the settings page can connect each channel)', () => {
  for (const adapter of CHANNELS.filter((c) => c.setup)) {
    for (const [where, schema] of [
      ['config', adapter.configSchema],
      ['secrets', adapter.secretsSchema],
    ] as const) {
      const shape = (
        schema as unknown as { shape: Record<string, { safeParse: (v: unknown) => { success: boolean } }> }
      ).shape
      for (const [key, s] of Object.entries(shape)) {
        const optional = s.safeParse(undefined).success
        const field = adapter.setup!.find((f) => f.key === key && f.in === where)
        assert.ok(optional || field, `${adapter.type}: required ${where}.${key} has no setup field`)
      }
    }
  }
})
