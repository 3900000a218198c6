/**
 * Provider simulators: local HTTP servers that behave like each provider's published API —
 * authentication, payload validation and limits, documented responses and error codes — record
 * what they receive, and send correctly signed webhooks to Tawasul. Used by tests, benchmarks,
 * `npm run simulate` and the in-product Sandbox.
 */
export type SimulatorHandle = {
  provider: string
  /** Base URL to configure as the channel's apiBaseUrl. */
  url: string
  /** What to configure besides the URL (test credentials, account ids), printed by `npm run simulate`. */
  details?: Record<string, string>
  close: () => Promise<void>
}

export type SimulatorFactory = (opts: { port?: number; host?: string }) => Promise<SimulatorHandle>
