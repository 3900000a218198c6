import { startCustomSimulator } from './custom/custom.simulator'
import { startEmailSimulator } from './email/email.simulator'
import { metaSimulatorFactory } from './meta/meta-simulator'
import type { SimulatorFactory } from './simulator'

/** Every provider simulator, listed explicitly (channel folders add theirs). */
export const SIMULATORS: Record<string, SimulatorFactory> = {
  /** Graph API: WhatsApp Cloud API, Messenger and Instagram messaging. */
  meta: metaSimulatorFactory,
  /** respond.io Custom Channel integration server: destination URL = <url>/message. */
  custom: (opts) => startCustomSimulator({ ...opts, receipts: true }),
  /** SMTP peer for outbound mail and an IMAP mailbox to poll (inbound SMTP goes to our own listener). */
  email: (opts) => startEmailSimulator(opts),
}
