/**
 * `npm run bench -- <name>` runs bench/<name>.ts, whose default export is the benchmark. Each
 * benchmark starts what it needs (its own PostgreSQL, server, fakes) and prints one line
 * `RESULT <name> key=value …`. Benchmarks never run inside `npm test`.
 */
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const name = process.argv[2] ?? ''
const available = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3))
const file = path.join(import.meta.dirname, `${name}.ts`)
if (!/^[a-z0-9-]+$/.test(name) || !existsSync(file)) {
  console.error(`usage: npm run bench -- <name>   (available: ${available.join(', ') || 'none'})`)
  process.exit(2)
}
const mod = (await import(pathToFileURL(file).href)) as { default: () => Promise<void> }
try {
  await mod.default()
  process.exit(0)
} catch (err) {
  console.error(err)
  process.exit(1)
}
