import type { SimulatorFactory } from './simulator'

/** Every provider simulator, listed explicitly (channel folders add theirs). */
export const SIMULATORS: Record<string, SimulatorFactory> = {}
