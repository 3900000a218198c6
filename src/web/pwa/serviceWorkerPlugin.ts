import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Plugin } from 'vite'

/** Files from src/web/public that belong to the app shell (with the build's hashed assets). */
const PUBLIC_SHELL = [
  '/offline.html',
  '/manifest.webmanifest',
  '/favicon.svg',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/maskable-512.png',
]

/**
 * Emits /sw.js for production builds: src/web/pwa/service-worker.js with this build's precache
 * list. The cache name changes with the list, so a new build replaces the old shell.
 */
export function serviceWorkerPlugin(): Plugin {
  return {
    name: 'tawasul-service-worker',
    apply: 'build',
    generateBundle(_options, bundle) {
      const assets = Object.keys(bundle)
        // Browsers that run service workers all read woff2, so the .woff fallbacks are not precached.
        .filter((f) => f.startsWith('assets/') && !f.endsWith('.map') && !f.endsWith('.woff'))
        .map((f) => `/${f}`)
        .sort()
      const precache = [...PUBLIC_SHELL, ...assets]
      const version = createHash('sha256').update(precache.join('\n')).digest('hex').slice(0, 12)
      const source = readFileSync(path.join(import.meta.dirname, 'service-worker.js'), 'utf8')
        .replace('self.__PRECACHE__', JSON.stringify(precache))
        .replace('self.__CACHE_VERSION__', JSON.stringify(version))
      this.emitFile({ type: 'asset', fileName: 'sw.js', source })
    },
  }
}
