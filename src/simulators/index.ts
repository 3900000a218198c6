import { metaSimulatorFactory } from './meta/meta-simulator'
import type { SimulatorFactory } from './simulator'

/** Every provider simulator, listed explicitly (channel folders add theirs). */
export const SIMULATORS: Record<string, SimulatorFactory> = {
  /** Graph API: WhatsApp Cloud API, Messenger and Instagram messaging. */
  meta: metaSimulatorFactory,
}
