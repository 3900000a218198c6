import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { STEP_KINDS, TRIGGER_TYPES } from '../../shared/workflow/definition'
import { STEPS } from './steps'
import { TRIGGERS } from './triggers'

const dir = (d: string) => path.resolve(import.meta.dirname, d)
const i18n = (lang: string) =>
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, `../../web/i18n/${lang}.json`), 'utf8')).workflows

test('every step file is in the step registry, once, and every kind has a step', () => {
  const files = readdirSync(dir('steps')).filter(
    (f) => f.endsWith('.ts') && f !== 'index.ts' && !f.endsWith('.test.ts'),
  )
  assert.equal(files.length, STEPS.length, `files: ${files.join(', ')}`)
  for (const f of files) {
    const source = readFileSync(path.join(dir('steps'), f), 'utf8')
    const kind = /defineStep\(\{\s*kind: '([a-z_]+)'/.exec(source)?.[1]
    assert.ok(kind && STEPS.some((s) => s.kind === kind), `${f} (${kind}) is registered`)
    assert.equal(f.replace('.ts', '').replaceAll('-', '_'), kind, 'one file per step, named after its kind')
  }
  assert.deepEqual(STEPS.map((s) => s.kind).sort(), [...STEP_KINDS].sort())
})

test('every trigger file is registered, and every trigger type has one', () => {
  const files = readdirSync(dir('triggers')).filter(
    (f) => f.endsWith('.ts') && !['index.ts', 'trigger.ts'].includes(f),
  )
  assert.equal(files.length, TRIGGERS.length)
  assert.deepEqual(TRIGGERS.map((t) => t.type).sort(), [...TRIGGER_TYPES].sort())
})

test('steps, triggers and the fixed outcome names have strings in English and Arabic', () => {
  for (const lang of ['en', 'ar']) {
    const w = i18n(lang)
    for (const s of STEPS) assert.ok(w.steps[s.kind], `${lang}: workflows.steps.${s.kind}`)
    for (const t of TRIGGERS) assert.ok(w.triggers[t.type], `${lang}: workflows.triggers.${t.type}`)
    for (const o of ['next', 'success', 'failure', 'invalid', 'timeout', 'else'])
      assert.ok(w.outcomes[o], `${lang}: workflows.outcomes.${o}`)
  }
})
