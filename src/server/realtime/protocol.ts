import { z } from 'zod'

/** What a client may send (docs/realtime.md). */
export const clientMessage = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('subscribe'),
      workspaceId: z.number().int().positive(),
      /** The last event id the client saw: the server replays what it missed. */
      lastEventId: z.number().int().min(0).optional(),
    }),
    z.strictObject({ type: z.literal('ping') }),
  ],
  { error: 'Send {"type":"subscribe","workspaceId":…} or {"type":"ping"}.' },
)
export type ClientMessage = z.infer<typeof clientMessage>

/** WebSocket close codes the server uses; 4xxx mirror the HTTP statuses. */
export const CLOSE = {
  goingAway: 1001,
  serverError: 1011,
  /** The client reads too slowly; reconnect and catch up. */
  tryAgainLater: 1013,
  unauthenticated: 4401,
  forbidden: 4403,
  tooManyRequests: 4429,
} as const
