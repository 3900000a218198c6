import { z } from 'zod'
import { findChannel } from '../../channels/channels.repo'
import { adapterFor } from '../../channels/registry'
import { ensureTags } from '../../contacts/tags.repo'
import { applyTagChanges } from '../../contacts/tags.service'
import { findMessage } from '../../messages/messages.repo'
import type { MessageContent } from '../../messages/messages.schema'
import { sendInTx } from '../../messages/messages.service'
import { checkAnswer, choiceId, DATE_FORMATS, QUESTION_TYPES, type Reply } from '../answers'
import { setContactField } from '../contact-fields'
import { durationMs, durationSchema } from '../duration'
import { defineStep, type StepContext, StepError } from '../step'

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]{0,49}$/
const RESERVED = new Set(['contact', 'assignee', 'system', 'trigger', 'http'])

const configSchema = z
  .strictObject({
    question: z.string().trim().min(1, 'The question is required.').max(2000, 'At most 2,000 characters.'),
    type: z.enum(QUESTION_TYPES),
    /** Multiple choice: up to 10 answers of up to 20 characters (rule 70). */
    choices: z
      .array(
        z
          .string()
          .trim()
          .min(1, 'An answer cannot be empty.')
          .max(20, 'An answer has at most 20 characters.'),
      )
      .max(10, 'At most 10 answers.')
      .optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    dateFormat: z.enum(DATE_FORMATS).optional(),
    /** Rule 70 "Save response as": a contact field, a variable, or (multiple choice only) a tag. */
    saveTo: z
      .discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('none') }),
        z.strictObject({
          kind: z.literal('field'),
          field: z.string().regex(VARIABLE, 'Choose a contact field.'),
        }),
        z.strictObject({
          kind: z.literal('variable'),
          name: z
            .string()
            .regex(VARIABLE, 'A variable name has letters, digits and "_".')
            .refine((n) => !RESERVED.has(n), 'This name is reserved.'),
        }),
        z.strictObject({ kind: z.literal('tag') }),
      ])
      .default({ kind: 'none' }),
    /** Optional Timeout branch (rule 71 proposal): no reply within this time. */
    timeout: durationSchema(7 * 86_400_000, 'The timeout').optional(),
  })
  .refine((c) => c.type !== 'multiple_choice' || (c.choices?.length ?? 0) >= 1, {
    message: 'Give at least one answer.',
    path: ['choices'],
  })
  .refine((c) => c.saveTo.kind !== 'tag' || c.type === 'multiple_choice', {
    message: 'Only multiple-choice answers can be saved as a tag.',
    path: ['saveTo'],
  })
  .refine((c) => c.min === undefined || c.max === undefined || c.min <= c.max, {
    message: 'The minimum is above the maximum.',
    path: ['min'],
  })
type Config = z.infer<typeof configSchema>

/** Multiple choice as buttons (≤3) or a list where the channel supports them, otherwise numbered text. */
async function questionContent(
  s: StepContext<Config>,
  channelId: number | null,
  text: string,
): Promise<MessageContent> {
  const choices = s.config.type === 'multiple_choice' ? (s.config.choices ?? []) : []
  if (choices.length === 0) return { type: 'text', text }
  const channel = channelId ? await findChannel(s.tx!, s.workspaceId, channelId) : undefined
  const interactive = channel ? adapterFor(channel.type)?.sends.includes('interactive') : false
  if (interactive && choices.length <= 3)
    return {
      type: 'interactive',
      interactive: {
        kind: 'buttons',
        body: text.slice(0, 1024),
        buttons: choices.map((c, i) => ({ id: choiceId(i), title: c })),
      },
    }
  if (interactive)
    return {
      type: 'interactive',
      interactive: {
        kind: 'list',
        body: text,
        button: 'Choose',
        sections: [{ rows: choices.map((c, i) => ({ id: choiceId(i), title: c })) }],
      },
    }
  return { type: 'text', text: `${text}\n${choices.map((c, i) => `${i + 1}. ${c}`).join('\n')}` }
}

async function replyOf(s: StepContext<Config>, messageId: number): Promise<Reply> {
  if (s.mode === 'dry') return { type: 'text', text: s.dry?.answer ?? '', content: {} }
  const m = await findMessage(s.tx!, s.workspaceId, messageId)
  if (!m) throw new StepError('The reply no longer exists.')
  return { type: m.type, text: m.text, content: m.content }
}

/**
 * Rules 70–71. Sends the question on the last interacted channel, then waits: the contact's next
 * inbound message (and only one that arrives while this run waits) is the answer. Success saves
 * it; a reply that does not match the type takes Invalid (re-ask with Jump To); no reply within
 * the timeout takes Timeout.
 */
export const askQuestion = defineStep({
  kind: 'ask_question',
  label: 'Ask a Question',
  configSchema,
  outcomes: (c) => ({ continue: 'success', branches: ['invalid', ...(c.timeout ? ['timeout'] : [])] }),
  references: (c) =>
    c.saveTo.kind === 'field' ? [{ kind: 'field', key: c.saveTo.field, path: 'config.saveTo.field' }] : [],
  async run(s) {
    if (s.resume?.kind === 'timer') return { next: 'timeout', output: { answered: false } }
    if (s.resume?.kind === 'reply') {
      const reply = await replyOf(s, s.resume.messageId)
      const checked = checkAnswer(s.config, reply)
      if (!checked.ok) return { next: 'invalid', output: { answer: reply.text, reason: checked.reason } }
      const value = checked.value
      const text = typeof value === 'object' ? `${value.latitude},${value.longitude}` : value
      const save = s.config.saveTo
      const output: Record<string, unknown> = { answer: reply.text, value }
      if (save.kind === 'variable') return { next: 'success', set: { [save.name]: value }, output }
      if (save.kind === 'field') {
        const r = await setContactField(s.tx!, await s.contact(), s.actor, save.field, text)
        if (!r.ok) return { next: 'invalid', output: { ...output, reason: r.message } }
        return { next: 'success', output: { ...output, savedTo: `$contact.${save.field}` } }
      }
      if (save.kind === 'tag') {
        const name = String(text)
        const tag = (await ensureTags(s.tx!, s.workspaceId, [name])).find(
          (t) => t.name.toLowerCase() === name.toLowerCase(),
        )
        if (!tag) throw new StepError(`The tag "${name}" could not be created.`)
        await applyTagChanges(
          s.tx!,
          s.workspaceId,
          s.actor,
          [s.run.contactId],
          [tag.id],
          [],
          new Map([[tag.id, tag]]),
        )
        return { next: 'success', output: { ...output, tag: tag.name } }
      }
      return { next: 'success', output }
    }
    if (!s.tx) throw new StepError('Ask a Question needs the run transaction.')
    const contact = await s.contact()
    const question = (await s.interpolate(s.config.question)).slice(0, 4096)
    const content = await questionContent(s, contact.lastInteractedChannelId, question)
    const sent = await sendInTx(
      s.ctx,
      s.tx,
      s.workspaceId,
      { kind: 'workflow', workflowId: s.run.workflowId },
      {
        contactId: s.run.contactId,
        message: content,
        clientKey: s.key,
      },
    )
    return {
      wait: {
        for: 'reply',
        messageId: sent.message.id,
        ...(s.config.timeout ? { until: new Date(s.now.getTime() + durationMs(s.config.timeout)) } : {}),
      },
      state: { questionMessageId: sent.message.id },
      output: { questionMessageId: sent.message.id, question },
    }
  },
})
