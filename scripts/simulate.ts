/**
 * `npm run simulate [-- provider…]`: starts provider simulators on local ports and prints the
 * base URL to configure for each channel (apiBaseUrl). Stop with Ctrl-C.
 */
import { SIMULATORS } from '../src/simulators'
import type { SimulatorHandle } from '../src/simulators/simulator'

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const names = wanted.length ? wanted : Object.keys(SIMULATORS)
const unknown = names.filter((n) => !SIMULATORS[n])
if (unknown.length) {
  console.error(
    `simulate: unknown provider(s): ${unknown.join(', ')}. Known: ${Object.keys(SIMULATORS).join(', ') || '(none yet)'}`,
  )
  process.exit(2)
}
if (names.length === 0) {
  console.error('simulate: no simulators are registered yet.')
  process.exit(1)
}
const handles: SimulatorHandle[] = []
for (const name of names) {
  const h = await SIMULATORS[name]!({ host: '127.0.0.1' })
  handles.push(h)
  console.log(`${name.padEnd(18)} ${h.url}`)
  for (const [k, v] of Object.entries(h.details ?? {})) console.log(`${''.padEnd(18)} ${k}: ${v}`)
}
const stop = async () => {
  await Promise.all(handles.map((h) => h.close()))
  process.exit(0)
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
