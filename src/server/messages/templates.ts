import type { z } from 'zod'
import { UnprocessableError } from '../errors'
import type { templateParamsSchema } from './messages.schema'

/** A template component as Meta's Graph API returns it (message_templates endpoint). */
export type TemplateComponent = {
  type: 'HEADER' | 'BODY' | 'FOOTER' | 'BUTTONS'
  format?: 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'LOCATION'
  text?: string
  buttons?: {
    type: 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER' | 'COPY_CODE' | string
    text: string
    url?: string
  }[]
}

export type TemplateParams = z.infer<typeof templateParamsSchema>

const VAR = /\{\{(\d+)\}\}/g
const varsIn = (text = '') =>
  [...new Set([...text.matchAll(VAR)].map((m) => Number(m[1])))].sort((a, b) => a - b)
const fill = (text: string, values: string[]) =>
  text.replace(VAR, (_, n) => values[Number(n) - 1] ?? `{{${n}}}`)

/**
 * Fills a template's {{n}} variables (rule 117). Every variable must have a value; the result
 * has the Graph API "components" to send and the rendered text for the inbox.
 */
export function fillTemplate(components: TemplateComponent[], params: TemplateParams) {
  const missing: { path: string; message: string }[] = []
  const send: Record<string, unknown>[] = []
  const rendered: string[] = []
  for (const c of components) {
    if (c.type === 'HEADER') {
      if (c.format === 'TEXT' || (!c.format && c.text)) {
        const needed = varsIn(c.text)
        const values = Array.isArray(params.header) ? params.header : []
        if (needed.length > values.length)
          missing.push({ path: 'template.header', message: `The header needs ${needed.length} value(s).` })
        if (needed.length)
          send.push({
            type: 'header',
            parameters: values.slice(0, needed.length).map((text) => ({ type: 'text', text })),
          })
        rendered.push(fill(c.text ?? '', values))
      } else if (c.format && c.format !== 'LOCATION') {
        const m = params.header && !Array.isArray(params.header) ? params.header : undefined
        if (!m) {
          missing.push({
            path: 'template.header',
            message: `The header needs a ${c.format.toLowerCase()} URL.`,
          })
          continue
        }
        const kind = c.format === 'DOCUMENT' ? 'document' : c.format.toLowerCase()
        send.push({
          type: 'header',
          parameters: [
            { type: kind, [kind]: { link: m.url, ...(m.fileName ? { filename: m.fileName } : {}) } },
          ],
        })
      }
    } else if (c.type === 'BODY') {
      const needed = varsIn(c.text)
      const values = params.body ?? []
      for (const n of needed) {
        if (!values[n - 1])
          missing.push({ path: `template.body.${n - 1}`, message: `Variable {{${n}}} needs a value.` })
      }
      if (needed.length)
        send.push({
          type: 'body',
          parameters: values.slice(0, Math.max(...needed)).map((text) => ({ type: 'text', text })),
        })
      rendered.push(fill(c.text ?? '', values))
    } else if (c.type === 'FOOTER') {
      rendered.push(c.text ?? '')
    } else if (c.type === 'BUTTONS') {
      for (const [index, b] of (c.buttons ?? []).entries()) {
        const given = params.buttons?.find((x) => x.index === index)?.value
        if (b.type === 'URL' && b.url && varsIn(b.url).length) {
          if (!given)
            missing.push({
              path: `template.buttons.${index}`,
              message: `The button "${b.text}" needs its URL value.`,
            })
          else
            send.push({
              type: 'button',
              sub_type: 'url',
              index: String(index),
              parameters: [{ type: 'text', text: given }],
            })
        } else if (b.type === 'QUICK_REPLY' && given) {
          send.push({
            type: 'button',
            sub_type: 'quick_reply',
            index: String(index),
            parameters: [{ type: 'payload', payload: given }],
          })
        }
      }
    }
  }
  if (missing.length) {
    throw new UnprocessableError(
      `Template variables missing: ${missing.map((m) => m.message).join(' ')}`,
      'template_variables_missing',
      missing,
    )
  }
  return { components: send, text: rendered.filter(Boolean).join('\n\n') }
}
