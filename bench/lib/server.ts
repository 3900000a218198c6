import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { type Config, loadConfig } from '../../src/server/config'
import { createLogger } from '../../src/server/log'
import { startServer } from '../../src/server/main'

/**
 * The server under test, in this process: a fresh data directory, warnings only, any free port.
 * Without a database URL it runs on PGlite. `stop` shuts it down and removes the data directory.
 */
export async function startBenchServer(
  databaseUrl: string | undefined,
  opts: { env?: NodeJS.ProcessEnv; config?: Partial<Config> } = {},
) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tawasul-bench-'))
  const config = {
    ...loadConfig({
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'warn',
      TAWASUL_SECRET: 'bench-secret-bench-secret-bench-secret-00',
      ...opts.env,
    }),
    port: 0,
    ...opts.config,
  }
  const server = await startServer(config, { log: createLogger('warn') })
  const stop = async () => {
    await server.shutdown('bench finished')
    rmSync(dataDir, { recursive: true, force: true })
  }
  return { server, stop }
}
