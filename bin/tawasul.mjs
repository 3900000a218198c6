#!/usr/bin/env node
// Runs the TypeScript command line through tsx, so self-hosters need no build step.
import { register } from 'tsx/esm/api'

register()
const { cliEntry } = await import('../src/server/cli/main.ts')
await cliEntry(process.argv.slice(2))
