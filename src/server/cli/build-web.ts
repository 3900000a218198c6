import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const ROOT = path.resolve(import.meta.dirname, '../../..')
const OUT = path.join(ROOT, 'dist/web')
const STAMP = path.join(OUT, '.build-stamp')
const INPUTS = ['src/web', 'src/shared', 'vite.config.ts', 'vite.widget.config.ts', 'package-lock.json']
const WIDGET = path.join(ROOT, 'dist/widget/widget.js')

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0
  const st = statSync(p)
  if (!st.isDirectory()) return st.mtimeMs
  let newest = st.mtimeMs
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)))
  return newest
}

/** Builds the web app and the chat widget with Vite; with ifStale, only when a source is newer than the last build. */
export async function buildWeb({ ifStale }: { ifStale: boolean }): Promise<boolean> {
  if (ifStale && existsSync(STAMP) && existsSync(WIDGET)) {
    const built = statSync(STAMP).mtimeMs
    if (INPUTS.every((i) => newestMtime(path.join(ROOT, i)) <= built)) return false
  }
  const { build } = await import('vite')
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' })
  // The website chat widget (its own IIFE bundle, served at /widget.js).
  await build({ configFile: path.join(ROOT, 'vite.widget.config.ts'), logLevel: 'warn' })
  writeFileSync(STAMP, new Date().toISOString())
  return true
}
