import { aliasOf } from './catalog'

/** What a claimed delivery needs to build its request body. */
export type EnvelopeInput = {
  publicId: string
  event: string
  workspaceId: number
  eventCreatedAt: Date
  /** The payload's data as JSON text. */
  dataJson: string
}

/**
 * The request body: `{ id, event, alias, workspaceId, createdAt, data }` (docs/webhooks.md).
 * `data` is the stored JSON spliced in as is, so every attempt and replay sends the same bytes.
 */
export function envelope(d: EnvelopeInput): string {
  const head = JSON.stringify({
    id: d.publicId,
    event: d.event,
    alias: aliasOf(d.event),
    workspaceId: d.workspaceId,
    createdAt: d.eventCreatedAt.toISOString(),
  })
  return `${head.slice(0, -1)},"data":${d.dataJson}}`
}
