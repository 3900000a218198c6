export type RealtimeOptions = {
  /** Ping every socket this often; one that answered none of the last two pings is dropped. */
  pingMs: number
  /** A presence row is live while its heartbeat is younger than this (other processes read it). */
  presenceFreshMs: number
  /** Bytes a socket may have waiting to be sent before it is dropped as too slow. */
  maxBufferedBytes: number
  /** Missed events replayed on reconnect; more than this and the client is told to refetch. */
  maxReplay: number
  replayOverlap: { ms: number; ids: number }
  /** Notices loaded and delivered together. */
  batchSize: number
}

export const DEFAULT_REALTIME: RealtimeOptions = {
  pingMs: 25_000,
  presenceFreshMs: 70_000,
  maxBufferedBytes: 1024 * 1024,
  maxReplay: 1000,
  replayOverlap: { ms: 5_000, ids: 10_000 },
  batchSize: 200,
}
