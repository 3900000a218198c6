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
    // One adapter per folder, except a provider serving several channel types (Twilio: SMS and WhatsApp).
    assert.ok(adapters.length >= 1, `${folder}/${folder}.channel.ts exports its registered adapter`)
    const exported = Object.values(module).filter((v) => v && typeof v === 'object' && 'send' in v)
    assert.equal(adapters.length, exported.length, `every adapter in ${folder}/ is registered`)
  }
  const types = CHANNELS.map((c) => c.type)
  assert.equal(new Set(types).size, types.length)
})

test('setup fields name keys of the config or secrets schema, and labels follow channels.<type>.<key>', () => {
  for (const c of CHANNELS) {
    for (const f of c.setup ?? []) {
      // Nested settings are named by path (email's "smtp.host"); their label key is camel-cased (smtpHost).
      const shapeOf = (s: unknown): Record<string, unknown> | undefined => {
        let inner = s as { unwrap?: () => unknown; shape?: Record<string, unknown> } | undefined
        while (inner && !inner.shape && typeof inner.unwrap === 'function')
          inner = inner.unwrap() as typeof inner
        return inner?.shape
      }
      const found = f.key
        .split('.')
        .reduce<unknown>(
          (schema, k) => shapeOf(schema)?.[k],
          f.in === 'config' ? c.configSchema : c.secretsSchema,
        )
      assert.ok(found, `${c.type}.${f.key} is in its ${f.in} schema`)
      assert.equal(
        f.label,
        `channels.${c.type}.${f.key.replace(/\.(\w)/g, (_m, ch: string) => ch.toUpperCase())}`,
      )
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

test('every required config and secret has a setup field, so the settings page can connect each channel', () => {
  for (const c of CHANNELS.filter((x) => x.setup)) {
    for (const [where, schema] of [
      ['config', c.configSchema],
      ['secrets', c.secretsSchema],
    ] as const) {
      const shape = (
        schema as unknown as { shape: Record<string, { safeParse: (v: unknown) => { success: boolean } }> }
      ).shape
      for (const [key, s] of Object.entries(shape)) {
        const optional = s.safeParse(undefined).success
        assert.ok(
          // A nested object (email's smtp) is covered by its dotted fields (smtp.host, …).
          optional || c.setup!.some((f) => f.in === where && (f.key === key || f.key.startsWith(`${key}.`))),
          `${c.type}: required ${where}.${key} has no setup field`,
        )
      }
    }
  }
})
