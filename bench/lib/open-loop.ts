import { type Dispatcher, request } from 'undici'

/**
 * Open-loop load on a custom channel's webhook: body k is posted at start + k / perSecond, whatever
 * the server's pace, with the channel's Bearer token. Resolves once every request was answered.
 */
export async function postOpenLoop(o: {
  url: string
  token: string
  dispatcher: Dispatcher
  total: number
  perSecond: number
  body: (k: number) => unknown
}): Promise<{ seconds: number; failures: number }> {
  const started = Date.now()
  let failures = 0
  const inflight: Promise<void>[] = []
  for (let k = 0; k < o.total; k++) {
    const wait = started + (k * 1000) / o.perSecond - Date.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    inflight.push(
      request(o.url, {
        method: 'POST',
        dispatcher: o.dispatcher,
        headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(o.body(k)),
      })
        .then(async (res) => {
          await res.body.dump()
          if (res.statusCode !== 200) failures++
        })
        .catch(() => {
          failures++
        }),
    )
  }
  await Promise.all(inflight)
  return { seconds: (Date.now() - started) / 1000, failures }
}
