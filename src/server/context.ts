import type { Config } from './config'
import type { Database, Db } from './db/database'
import type { Jobs } from './jobs/jobs'
import type { Log } from './log'
import type { Mailer } from './mail/mailer'
import type { Storage } from './storage/storage'

export type Clock = { now: () => Date }
export const systemClock: Clock = { now: () => new Date() }

/** What every service function receives explicitly. No container, no globals. */
export type Ctx = {
  db: Db
  database: Database
  jobs: Jobs
  mailer: Mailer
  storage: Storage
  clock: Clock
  log: Log
  config: Config
}
