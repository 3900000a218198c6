import assert from 'node:assert/strict'
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import ar from '../../web/i18n/ar.json'
import en from '../../web/i18n/en.json'
import { CHANNELS } from './registry'

test('every channel folder exports an adapter that is in the registry, with a unique type', async () => {
  const dir = import.meta.dirname
  const folders = readdirSync(dir).filter((f) => statSync(path.join(dir, f)).isDirectory())
  assert.ok(folders.length >= 4)
  for (const folder of folders) {
    const module = (await import(path.join(dir, folder, `${folder}.channel.ts`))) as Record<string, unknown>
    const adapters = Object.values(module).filter((v) => CHANNELS.includes(v as never))
    assert.equal(adapters.length, 1, `${folder}/${folder}.channel.ts exports one registered adapter`)
  }
  const types = CHANNELS.map((c) => c.type)
  assert.equal(new Set(types).size, types.length)
})

test('setup fields name keys of the config or secrets schema, and labels follow channels.<type>.<key>', () => {
  for (const c of CHANNELS) {
    for (const f of c.setup ?? []) {
      const schema = (f.in === 'config' ? c.configSchema : c.secretsSchema) as unknown as { shape: object }
      assert.ok(f.key in schema.shape, `${c.type}.${f.key} is in its ${f.in} schema`)
      assert.equal(f.label, `channels.${c.type}.${f.key}`)
      for (const [lang, tree] of Object.entries({ en, ar })) {
        for (const key of [f.label, f.help].filter(Boolean) as string[]) {
          const value = key
            .split('.')
            .reduce<unknown>((t, k) => (t as Record<string, unknown> | undefined)?.[k], tree)
          assert.equal(typeof value, 'string', `${lang}: ${key}`)
        }
      }
    }
  }
})
