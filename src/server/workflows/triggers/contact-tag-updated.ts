import { z } from 'zod'
import { defineTrigger } from './trigger'

/** Rule 68: one of the chosen tags was added to or removed from the contact. */
export const contactTagUpdated = defineTrigger({
  type: 'contact_tag_updated',
  label: 'Contact Tag Updated',
  conditionsSchema: z.strictObject({
    tagIds: z.array(z.number().int().positive()).min(1, 'Choose at least one tag.').max(50),
    action: z.enum(['added', 'removed', 'any']).default('added'),
  }),
  events: ['contact.tag_updated'],
  oncePerContact: true,
  match: (e, c) => {
    const p = e.payload as { tagId: number; tag: string; action: 'added' | 'removed' }
    if (!c.tagIds.includes(p.tagId)) return null
    if (c.action !== 'any' && c.action !== p.action) return null
    return { tagId: p.tagId, tag: p.tag, action: p.action }
  },
  references: (c) => c.tagIds.map((id, i) => ({ kind: 'tag', id, path: `trigger.conditions.tagIds.${i}` })),
})
