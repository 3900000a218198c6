import { z } from 'zod'
import { updateContact } from '../../contacts/contacts.repo'
import { findStage } from '../../contacts/lifecycle.repo'
import { emit } from '../../events'
import { defineStep, StepError } from '../step'

/** Moves the contact to a lifecycle stage, or none (contact.lifecycle_updated, workflow actor). */
export const updateLifecycle = defineStep({
  kind: 'update_lifecycle',
  label: 'Update Lifecycle',
  configSchema: z.strictObject({ stageId: z.number().int().positive().nullable() }),
  outcomes: () => ({ continue: 'next', branches: [] }),
  references: (c) => (c.stageId ? [{ kind: 'stage', id: c.stageId, path: 'config.stageId' }] : []),
  async run(s) {
    const contact = await s.contact()
    const to = s.config.stageId
    if (to !== null && !(await findStage(s.tx!, s.workspaceId, to)))
      throw new StepError('The lifecycle stage no longer exists.')
    if (contact.lifecycleStageId === to) return { next: 'next', output: { changed: false } }
    await updateContact(s.tx!, s.workspaceId, contact.id, { lifecycleStageId: to })
    await emit(s.tx!, s.workspaceId, s.actor, {
      type: 'contact.lifecycle_updated',
      payload: { contactId: contact.id, from: contact.lifecycleStageId, to },
    })
    return { next: 'next', output: { changed: true, from: contact.lifecycleStageId, to } }
  },
})
