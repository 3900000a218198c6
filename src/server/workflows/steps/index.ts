import type { StepKind } from '../../../shared/workflow/definition'
import type { StepDefinition } from '../step'
import { addComment } from './add-comment'
import { askQuestion } from './ask-question'
import { assignTo } from './assign-to'
import { branch } from './branch'
import { closeConversation } from './close-conversation'
import { dateTime } from './date-time'
import { googleSheets } from './google-sheets'
import { httpRequest } from './http-request'
import { jumpTo } from './jump-to'
import { metaConversions } from './meta-conversions'
import { openConversation } from './open-conversation'
import { sendMessage } from './send-message'
import { tiktokEvents } from './tiktok-events'
import { triggerWorkflow } from './trigger-workflow'
import { updateField } from './update-field'
import { updateLifecycle } from './update-lifecycle'
import { updateTag } from './update-tag'
import { wait } from './wait'

/** Every step kind (rules 69–86), listed explicitly; a test checks each file in this folder is here. */
export const STEPS: StepDefinition<unknown>[] = [
  sendMessage,
  askQuestion,
  assignTo,
  branch,
  updateTag,
  updateField,
  updateLifecycle,
  openConversation,
  closeConversation,
  addComment,
  jumpTo,
  wait,
  dateTime,
  triggerWorkflow,
  httpRequest,
  googleSheets,
  metaConversions,
  tiktokEvents,
] as unknown as StepDefinition<unknown>[]

const BY_KIND = new Map(STEPS.map((s) => [s.kind, s]))

export function stepFor(kind: StepKind | string): StepDefinition<unknown> {
  const s = BY_KIND.get(kind as StepKind)
  if (!s) throw new Error(`Unknown step kind ${kind}`)
  return s
}
