import { z } from 'zod'
import { applyTagChanges, loadTags } from '../../contacts/tags.service'
import { defineStep } from '../step'

const ids = z.array(z.number().int().positive()).max(50).default([])

/** Rule 74: add and/or remove one or many tags (contact.tag_updated with the workflow as actor). */
export const updateTag = defineStep({
  kind: 'update_tag',
  label: 'Update Contact Tag',
  configSchema: z.strictObject({ add: ids, remove: ids }).refine((c) => c.add.length + c.remove.length > 0, {
    message: 'Choose tags to add or remove.',
    path: ['add'],
  }),
  outcomes: () => ({ continue: 'next', branches: [] }),
  references: (c) => [
    ...c.add.map((id, i) => ({ kind: 'tag' as const, id, path: `config.add.${i}` })),
    ...c.remove.map((id, i) => ({ kind: 'tag' as const, id, path: `config.remove.${i}` })),
  ],
  async run(s) {
    await s.contact()
    const tags = await loadTags(s.tx!, s.workspaceId, [...s.config.add, ...s.config.remove], 'config.add')
    const r = await applyTagChanges(
      s.tx!,
      s.workspaceId,
      s.actor,
      [s.run.contactId],
      s.config.add,
      s.config.remove,
      tags,
    )
    return {
      next: 'next',
      output: {
        added: r.added.map((p) => tags.get(p.tagId)!.name),
        removed: r.removed.map((p) => tags.get(p.tagId)!.name),
      },
    }
  },
})
