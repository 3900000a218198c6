// Tawasul's service worker. Built by src/web/pwa/serviceWorkerPlugin.ts, which fills in the
// precache list (the hashed assets of this build) and the cache version.
//
// - The app shell (hashed JS/CSS/fonts, icons, the manifest and the offline page) is cached at install.
// - Page loads go to the network; offline, the offline page answers instead.
// - API calls, files and the realtime socket are never cached or answered from a cache: a stale
//   conversation would be worse than an honest "you are offline".
const PRECACHE = self.__PRECACHE__
const CACHE = `tawasul-shell-${self.__CACHE_VERSION__}`
const OFFLINE_URL = '/offline.html'

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith('tawasul-shell-') && k !== CACHE).map((k) => caches.delete(k)),
        ),
      )
      .then(() => self.clients.claim()),
  )
})

function neverCached(url) {
  return url.pathname.startsWith('/api/') || url.pathname.startsWith('/files/')
}

self.addEventListener('fetch', (event) => {
  const request = event.request
  if (request.method !== 'GET') return
  const url = new URL(request.url)
  if (url.origin !== self.location.origin || neverCached(url)) return

  if (request.mode === 'navigate') {
    event.respondWith(
      fetch(request).catch(
        async () => (await caches.match(OFFLINE_URL, { cacheName: CACHE })) ?? Response.error(),
      ),
    )
    return
  }
  // Hashed assets never change under their name: the cached copy is the right one.
  event.respondWith(caches.match(request, { cacheName: CACHE }).then((hit) => hit ?? fetch(request)))
})
