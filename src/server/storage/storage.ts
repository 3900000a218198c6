import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'

/** Where files (attachments, imports, reports) live. Local disk by default; S3-style stores can implement it. */
export type Storage = {
  put: (
    workspaceId: number,
    fileName: string,
    data: Buffer,
  ) => Promise<{ key: string; size: number; sha256: string }>
  read: (key: string) => Promise<Buffer>
  stream: (key: string) => Readable
  remove: (key: string) => Promise<void>
}

/** Keeps only characters that are safe in a path segment; the original name is stored in the database. */
function safeName(name: string): string {
  const base = path.basename(name).normalize('NFC')
  return base.replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(-80) || 'file'
}

export function localDiskStorage(root: string): Storage {
  const full = (key: string) => {
    const p = path.resolve(root, key)
    if (!p.startsWith(path.resolve(root) + path.sep)) throw new Error('storage key escapes the storage root')
    return p
  }
  return {
    async put(workspaceId, fileName, data) {
      const month = new Date().toISOString().slice(0, 7)
      const key = `${workspaceId}/${month}/${randomBytes(12).toString('hex')}-${safeName(fileName)}`
      await mkdir(path.dirname(full(key)), { recursive: true })
      await writeFile(full(key), data, { flag: 'wx' })
      return { key, size: data.length, sha256: createHash('sha256').update(data).digest('hex') }
    },
    read: (key) => readFile(full(key)),
    stream: (key) => createReadStream(full(key)),
    remove: (key) => rm(full(key), { force: true }),
  }
}
