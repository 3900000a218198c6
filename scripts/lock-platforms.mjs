// The npm registry mirror on our machines lacks Biome's non-Linux platform binaries, so npm leaves
// them out of package-lock.json and `npm ci` then rejects the lockfile as out of sync. This adds
// their entries back (platform-guarded optional packages that npm skips on Linux without fetching).
// Run it after `npm install` changes the lockfile: `node scripts/lock-platforms.mjs`.
import { readFileSync, writeFileSync } from 'node:fs'

const lockPath = new URL('../package-lock.json', import.meta.url)
const lock = JSON.parse(readFileSync(lockPath, 'utf8'))
const biome = lock.packages['node_modules/@biomejs/biome']
let added = 0
for (const [name, version] of Object.entries(biome.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`
  if (lock.packages[key]) continue
  const m = /cli-(android|darwin|linux|win32)-(arm64|x64)(-musl)?$/.exec(name)
  if (!m) throw new Error(`unexpected platform package ${name}`)
  lock.packages[key] = {
    version,
    cpu: [m[2]],
    dev: true,
    ...(m[3] ? { libc: ['musl'] } : {}),
    license: 'MIT OR Apache-2.0',
    optional: true,
    os: [m[1]],
    engines: { node: '>=14.21.3' },
  }
  added++
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
)
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`)
console.log(`added ${added} platform entries`)
