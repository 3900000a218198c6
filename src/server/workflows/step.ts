import type { z } from 'zod'
import type { StepKind } from '../../shared/workflow/definition'
import type { Escape } from '../../shared/workflow/variables'
import type { ContactRow } from '../contacts/contacts.repo'
import type { Ctx } from '../context'
import type { Tx } from '../db/database'
import type { WaitKind } from '../db/schema'
import type { Actor } from '../events'
import type { StepHttp } from './http/outbound'

/** JSON written to the step log. */
export type Json = Record<string, unknown>

/**
 * What a step's run returns. It describes an outcome; the engine decides what that means for the
 * run (which step is next, what is persisted, which timer is armed).
 */
export type StepResult =
  /** Done: follow this outcome (the continue outcome, or a branch). `set` adds workflow variables. */
  | { next: string; output?: Json; set?: Record<string, unknown> }
  /** Pause until a timer, a reply, a message's final status or an assignment retry; `state` comes back on resume. */
  | { wait: { for: WaitKind; until?: Date; messageId?: number }; state?: Json; output?: Json }
  /** Rule 79: continue at another step. */
  | { jump: string; output?: Json }
  /** End the run here. */
  | { stop: true; reason: string; output?: Json }

export type Resume =
  | { kind: 'timer'; state: Json }
  | { kind: 'reply'; state: Json; messageId: number }
  | { kind: 'message_status'; state: Json; status: string }

/** What a dry run (the builder's test run) lets the user choose for a step. */
export type DryChoice = {
  /** Ask a Question: the contact's answer. */
  answer?: string | undefined
  /** Any step with outcomes: the outcome to assume (e.g. an HTTP step's `failure`). */
  outcome?: string | undefined
  /** HTTP Request: the response to assume. */
  response?: { status: number; body?: unknown } | undefined
}

export type StepContext<C> = {
  ctx: Ctx
  /**
   * The transaction holding the run row's lock. Internal steps change the database through it
   * only (so a step's effects and the run's progress commit together). External steps get none.
   */
  tx: Tx | null
  mode: 'live' | 'dry'
  workspaceId: number
  run: { id: number; workflowId: number; contactId: number; depth: number }
  step: { id: string; name: string; kind: StepKind }
  config: C
  /** 1 for the first entry into this step in this run, 2 after a jump back to it… */
  visit: number
  attempt: number
  /** The idempotency key of this (run, step, visit): side effects carry it. */
  key: string
  /** The actor of every change a workflow makes (rule: automation never reacts to itself). */
  actor: Actor
  now: Date
  vars: Readonly<Record<string, unknown>>
  /** Jumps already taken by this step in this run (rule 79). */
  jumps: number
  /** Fills `$variables` (rules 87–89). */
  interpolate: (template: string, how?: Escape) => Promise<string>
  /** The value of one variable reference like `$contact.email` or `CustomerType` (undefined when none). */
  variable: (reference: string) => Promise<unknown>
  /** The contact, locked for this transaction (internal steps). */
  contact: () => Promise<ContactRow>
  resume: Resume | null
  /** Outgoing HTTP with the SSRF guard and the workspace's private-network setting (external steps). */
  http: StepHttp
  /** Test runs: what the user chose for this step. */
  dry: DryChoice | null
}

export type Outcomes = {
  /** The outcome that continues with the next step of the sequence, if any. */
  continue: string | null
  /** Outcomes that enter a branch; an empty or missing branch ends the run. */
  branches: string[]
}

export type StepDefinition<C> = {
  kind: StepKind
  /** Builder label (English); translations live in the web app's i18n files. */
  label: string
  configSchema: z.ZodType<C>
  /** Calls outside the database (HTTP, Sheets, Conversions APIs): run without the row lock, leased. */
  external?: boolean
  /** The outcomes this configuration has (the builder draws a branch slot per branch outcome). */
  outcomes: (config: C) => Outcomes
  /** The config as the step log keeps it (secrets replaced). */
  redact?: (config: C) => C
  /** Workspace references the config makes (checked before publishing). */
  references?: (config: C) => Reference[]
  run: (s: StepContext<C>) => Promise<StepResult>
}

export type Reference =
  | { kind: 'tag'; id: number; path: string }
  | { kind: 'user'; id: number; path: string }
  | { kind: 'team'; id: number; path: string }
  | { kind: 'channel'; id: number; path: string }
  | { kind: 'stage'; id: number; path: string }
  | { kind: 'category'; id: number; path: string }
  | { kind: 'field'; key: string; path: string }
  | { kind: 'credential'; id: number; credential: string; path: string }
  | { kind: 'workflow'; id: number; path: string }
  | { kind: 'step'; id: string; path: string }

export function defineStep<C>(d: StepDefinition<C>): StepDefinition<C> {
  return d
}

/** Error a step throws for a configuration or data problem: logged on the step, the run fails. */
export class StepError extends Error {}
