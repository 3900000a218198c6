/**
 * `npm test`: type check, lint, web build, then every test — server tests on PGlite and again on
 * a PostgreSQL server this script starts itself, then the browser tests. Fails if no test ran.
 *
 *   npm test                      everything
 *   npm test -- <files…>          only these test files (PGlite; add --pg to also run on PostgreSQL)
 *   npm test -- --skip-static     skip type check and lint
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { buildWeb } from '../src/server/cli/build-web'
import { startPgServer } from '../src/server/test/pg-server'
import { preparePgliteSnapshot, preparePgTemplate } from '../src/server/test/prepare'

const ROOT = path.resolve(import.meta.dirname, '..')
const TMP = path.join(ROOT, '.tmp/test')
const args = process.argv.slice(2)
const flags = new Set(args.filter((a) => a.startsWith('--')))
const only = args.filter((a) => !a.startsWith('--'))

type Totals = { tests: number; pass: number; fail: number; suites: string[] }
const totals: Totals = { tests: 0, pass: 0, fail: 0, suites: [] }
const started = Date.now()

function findTests(dir: string): string[] {
  const out: string[] = []
  if (!existsSync(path.join(ROOT, dir))) return out
  for (const entry of readdirSync(path.join(ROOT, dir))) {
    const rel = path.join(dir, entry)
    if (statSync(path.join(ROOT, rel)).isDirectory()) out.push(...findTests(rel))
    else if (entry.endsWith('.test.ts')) out.push(rel)
  }
  return out.sort()
}

function run(
  cmd: string,
  argv: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d) => {
      output += d
      process.stdout.write(d)
    })
    child.stderr.on('data', (d) => process.stderr.write(d))
    child.on('close', (code) => resolve({ code: code ?? 1, output }))
  })
}

async function step(name: string, fn: () => Promise<boolean>): Promise<void> {
  const t = Date.now()
  console.log(`\n▶ ${name}`)
  const ok = await fn()
  console.log(`${ok ? '✔' : '✖'} ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`)
  if (!ok) {
    console.log(`\nFAILED at: ${name}`)
    process.exit(1)
  }
}

async function nodeTest(
  label: string,
  files: string[],
  env: NodeJS.ProcessEnv,
  concurrency: number,
): Promise<boolean> {
  if (files.length === 0) return true
  const { code, output } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      `--test-concurrency=${concurrency}`,
      '--test-timeout=300000',
      // A handle left open after a file's tests finished must not stall the run for the timeout.
      '--test-force-exit',
      ...files,
    ],
    env,
  )
  const count = (key: string) => Number(new RegExp(`^ℹ ${key} (\\d+)`, 'm').exec(output)?.[1] ?? 0)
  const tests = count('tests')
  totals.tests += tests
  totals.pass += count('pass')
  totals.fail += count('fail')
  totals.suites.push(`${label}: ${count('pass')}/${tests} passed`)
  if (tests === 0) console.log(`no tests ran in ${label}`)
  return code === 0 && tests > 0
}

mkdirSync(TMP, { recursive: true })
const unitAndServer = only.length ? only.filter((f) => f.startsWith('src/')) : findTests('src')
const serverOnly = unitAndServer.filter((f) => f.startsWith('src/server/'))
const browser = only.length ? only.filter((f) => f.startsWith('e2e/')) : findTests('e2e')
const runPg = only.length === 0 || flags.has('--pg')

if (!flags.has('--skip-static') && only.length === 0) {
  await step(
    'type check (tsc --noEmit)',
    async () => (await run('npx', ['tsc', '--noEmit', '-p', '.'])).code === 0,
  )
  await step(
    'lint and format (biome check)',
    async () => (await run('npx', ['biome', 'check', '--error-on-warnings', '.'])).code === 0,
  )
}
if (browser.length) {
  await step('build web app (vite)', async () => {
    await buildWeb({ ifStale: true })
    return true
  })
}

const snapshot = path.join(TMP, 'pglite.snapshot')
// Browser tests boot their servers from the snapshot too, so prepare it whenever either runs.
if (unitAndServer.length || browser.length) {
  await step('prepare PGlite snapshot', async () => {
    await preparePgliteSnapshot(snapshot)
    return true
  })
}
if (unitAndServer.length) {
  await step(`tests on PGlite (${unitAndServer.length} files)`, () =>
    nodeTest('PGlite', unitAndServer, { TAWASUL_TEST_DB: 'pglite', TAWASUL_TEST_SNAPSHOT: snapshot }, 2),
  )
}

if (runPg && serverOnly.length) {
  const pg = await startPgServer()
  process.on('exit', () => pg.stop())
  try {
    await step('prepare PostgreSQL 15 template database', async () => {
      await preparePgTemplate(pg.url())
      return true
    })
    await step(`server tests on PostgreSQL (${serverOnly.length} files)`, () =>
      nodeTest('PostgreSQL', serverOnly, { TAWASUL_TEST_DB: 'postgres', TAWASUL_TEST_PG: pg.url() }, 2),
    )
  } finally {
    pg.stop()
  }
}

if (browser.length) {
  await step(`browser tests in Chromium (${browser.length} files)`, () =>
    nodeTest('Chromium', browser, { TAWASUL_TEST_SNAPSHOT: snapshot }, 1),
  )
}

console.log(`\n${totals.suites.join('\n')}`)
console.log(
  `${totals.pass} passed, ${totals.fail} failed (${totals.tests} tests in ${((Date.now() - started) / 1000).toFixed(0)} s)`,
)
if (totals.tests === 0) {
  console.log('No tests ran: failing.')
  process.exit(1)
}
process.exit(totals.fail > 0 ? 1 : 0)
