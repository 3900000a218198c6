import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import ar from './ar.json'
import en from './en.json'

type Tree = { [k: string]: string | Tree }
const PLURAL = /_(zero|one|two|few|many|other)$/
const LANGS: Record<string, Tree> = { en, ar }

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (typeof v === 'string') out.set(key, v)
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv)
  }
  return out
}
const keysOf = (tree: Tree) => new Set([...flatten(tree).keys()].map((k) => k.replace(PLURAL, '')))

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f)
    if (statSync(p).isDirectory()) return sources(p)
    return /\.tsx?$/.test(f) && !f.endsWith('.test.ts') ? [p] : []
  })
}

test('English and Arabic have the same keys, none empty', () => {
  const enKeys = keysOf(en)
  const arKeys = keysOf(ar)
  assert.deepEqual(
    [...enKeys].filter((k) => !arKeys.has(k)),
    [],
    'missing in Arabic',
  )
  assert.deepEqual(
    [...arKeys].filter((k) => !enKeys.has(k)),
    [],
    'missing in English',
  )
  for (const [lang, tree] of Object.entries(LANGS)) {
    for (const [k, v] of flatten(tree)) assert.ok(v.trim().length > 0, `${lang}: ${k} is empty`)
  }
})

test('plural keys have every form the language needs (Arabic has six)', () => {
  for (const [lang, tree] of Object.entries(LANGS)) {
    const forms = new Intl.PluralRules(lang).resolvedOptions().pluralCategories
    const flat = [...flatten(tree).keys()]
    const plurals = new Set(flat.filter((k) => PLURAL.test(k)).map((k) => k.replace(PLURAL, '')))
    for (const base of plurals) {
      for (const form of forms) assert.ok(flat.includes(`${base}_${form}`), `${lang}: ${base}_${form}`)
    }
  }
})

test('every key the web app uses exists in both languages', () => {
  const root = path.resolve(import.meta.dirname, '..')
  const used = new Set<string>()
  const prefixes = new Set<string>()
  for (const file of sources(root)) {
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z][\w.]*)'/g)) used.add(m[1]!)
    // t(`roles.${role}`): the prefix must be a group present in both languages.
    for (const m of text.matchAll(/\bt\(\s*`([a-zA-Z][\w.]*)\.\$\{/g)) prefixes.add(m[1]!)
  }
  assert.ok(used.size > 50, `found ${used.size} keys`)
  for (const [lang, tree] of Object.entries(LANGS)) {
    const keys = keysOf(tree)
    for (const k of used) assert.ok(keys.has(k), `${lang}: missing key "${k}"`)
    for (const p of prefixes)
      assert.ok(
        [...keys].some((k) => k.startsWith(`${p}.`)),
        `${lang}: missing group "${p}"`,
      )
  }
})

test('no hard-coded user-facing text in JSX', () => {
  const root = path.resolve(import.meta.dirname, '..')
  const offenders: string[] = []
  for (const file of sources(root).filter((f) => f.endsWith('.tsx'))) {
    const text = readFileSync(file, 'utf8')
    // Literal text directly inside an element: <b>Some words</b>
    for (const m of text.matchAll(/>([^<>{}()=;]*[A-Za-z\u0600-\u06FF][^<>{}()=;]*)<\//g)) {
      const words = m[1]!.trim()
      if (words === 'English' || words === 'العربية' || words === '×') continue
      offenders.push(`${path.relative(root, file)}: "${words}"`)
    }
  }
  assert.deepEqual(offenders, [])
})
