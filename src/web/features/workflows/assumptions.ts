import type { StepKind, StepNode } from '../../../shared/workflow/definition'
import { walkSteps } from '../../../shared/workflow/tree'

/**
 * A test run makes no outside call and waits for nobody, so the steps that depend on the outside
 * world take what the user assumes (the server's `choices[stepId]`): an answer to a question (or
 * no reply), an HTTP response (or a failure), a failed send or a failed outside event.
 */
export type Assumable = {
  stepId: string
  kind: StepKind
  name: string
  outcomes: string[]
  answer: boolean
  response: boolean
}

const FAILING: StepKind[] = ['google_sheets', 'meta_conversions', 'tiktok_events']

export function assumableSteps(steps: StepNode[]): Assumable[] {
  const out: Assumable[] = []
  walkSteps(steps, (n) => {
    const base = { stepId: n.id, kind: n.kind, name: n.name, answer: false, response: false }
    if (n.kind === 'ask_question')
      out.push({ ...base, answer: true, outcomes: n.config.timeout ? ['timeout'] : [] })
    else if (n.kind === 'http_request') out.push({ ...base, response: true, outcomes: ['failure'] })
    else if (n.kind === 'send_message' && n.config.failureBranch === true)
      out.push({ ...base, outcomes: ['failure'] })
    else if (FAILING.includes(n.kind)) out.push({ ...base, outcomes: ['failure'] })
  })
  return out
}

/** What the user typed per step: an outcome ('' = as normal), an answer, an HTTP status and body. */
export type AssumptionInput = { outcome?: string; answer?: string; status?: string; body?: string }

export type Choice = { answer?: string; outcome?: string; response?: { status: number; body?: unknown } }

/** The test run's `choices`: empty entries dropped; a body that is JSON is sent parsed, else as text. */
export function buildChoices(inputs: Record<string, AssumptionInput>): Record<string, Choice> {
  const out: Record<string, Choice> = {}
  for (const [stepId, i] of Object.entries(inputs)) {
    const c: Choice = {}
    if (i.outcome) c.outcome = i.outcome
    else {
      if (i.answer !== undefined && i.answer !== '') c.answer = i.answer
      const status = Number(i.status)
      if (i.status && Number.isInteger(status) && status >= 100 && status <= 599) {
        c.response = { status }
        if (i.body?.trim()) {
          try {
            c.response.body = JSON.parse(i.body)
          } catch {
            c.response.body = i.body
          }
        }
      }
    }
    if (Object.keys(c).length) out[stepId] = c
  }
  return out
}
