import assert from 'node:assert/strict'
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import ar from '../../web/i18n/ar.json'
import en from '../../web/i18n/en.json'
import { CHANNELS } from './registry'

test('every channel folder is registered, once', () => {
  const dir = import.meta.dirname
  const folders = readdirSync(dir).filter((f) => statSync(path.join(dir, f)).isDirectory())
  const types = CHANNELS.map((c) => c.type)
  assert.equal(new Set(types).size, types.length, 'channel types are unique')
  for (const folder of folders) {
    assert.ok(
      types.includes(folder),
      `channels/${folder}/ is not in the registry (registry.ts) — add its adapter to CHANNELS`,
    )
  }
})

test("every setup field's label and help text exist in English and Arabic", () => {
  const lookup = (tree: unknown, key: string) =>
    key.split('.').reduce<unknown>((t, k) => (t as Record<string, unknown> | undefined)?.[k], tree)
  for (const c of CHANNELS) {
    for (const f of c.setup ?? []) {
      for (const key of [f.label, ...(f.help ? [f.help] : [])]) {
        for (const [lang, tree] of Object.entries({ en, ar })) {
          const v = lookup(tree, key)
          assert.ok(typeof v === 'string' && v.trim(), `${lang}: missing "${key}" (${c.type}.${f.key})`)
        }
      }
    }
  }
})
