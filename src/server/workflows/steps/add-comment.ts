import { z } from 'zod'
import { addCommentLocked, MAX_COMMENT } from '../../comments/comments.service'
import { findWorkspace } from '../../workspaces/workspaces.repo'
import { defineStep } from '../step'

/**
 * Rule 78: an internal comment on the contact (never sent to it), with $variables; mentions as
 * `{{@user.ID}}` or `@[email]` notify those members (rule 50).
 */
export const addComment = defineStep({
  kind: 'add_comment',
  label: 'Add Comment',
  configSchema: z.strictObject({
    text: z
      .string()
      .trim()
      .min(1, 'Write the comment.')
      .max(MAX_COMMENT, `At most ${MAX_COMMENT} characters.`),
  }),
  outcomes: () => ({ continue: 'next', branches: [] }),
  async run(s) {
    const contact = await s.contact()
    const text = (await s.interpolate(s.config.text)).trim().slice(0, MAX_COMMENT)
    const ws = (await findWorkspace(s.tx!, s.workspaceId))!
    const comment = await addCommentLocked(
      s.tx!,
      contact,
      s.actor,
      { kind: 'workflow', id: s.run.workflowId },
      text,
      ws.organizationId,
    )
    return { next: 'next', output: { commentId: comment.id, mentions: comment.mentions } }
  },
})
