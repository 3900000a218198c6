import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import path from 'node:path'

export class DataDirLockedError extends Error {}

type LockInfo = { pid: number; host: string; command: string; since: string }

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * PGlite has no cross-process locking (two instances on one directory corrupt it), so we take
 * an exclusive lockfile first. A lock left by a dead process on this host is taken over.
 */
export function acquireDataDirLock(dataDir: string, command: string): () => void {
  const file = path.join(dataDir, 'tawasul.lock')
  const info: LockInfo = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, JSON.stringify(info))
      closeSync(fd)
      let released = false
      return () => {
        if (released) return
        released = true
        try {
          unlinkSync(file)
        } catch {}
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      let holder: LockInfo | undefined
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as LockInfo
      } catch {}
      const stale = holder && holder.host === info.host && !isAlive(holder.pid)
      if (stale || (holder === undefined && attempt === 0)) {
        try {
          unlinkSync(file)
        } catch {}
        continue
      }
      const who = holder
        ? `process ${holder.pid} (tawasul ${holder.command}, since ${holder.since})`
        : 'another process'
      throw new DataDirLockedError(
        `The data directory ${dataDir} is in use by ${who}. Stop it first, or point DATA_DIR elsewhere, or use DATABASE_URL for several processes.`,
      )
    }
  }
  throw new DataDirLockedError(`Could not lock the data directory ${dataDir}.`)
}
