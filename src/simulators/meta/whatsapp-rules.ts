import { checkText, graphError, invalidParam } from './graph-error'
import { type SimTemplate, varCount } from './templates'

/**
 * What `POST /{phone-number-id}/messages` accepts, with the limits Meta documents for each
 * message type (text body 4,096; captions 1,024; reply buttons: 1–3, title 20, id 256; lists:
 * button 20, ≤10 sections and ≤10 rows in all, row title 24, id 200, description 72; template
 * name and language from the account's registry, parameter counts matching the template).
 */
type Body = Record<string, unknown>
const MEDIA = ['image', 'video', 'audio', 'document', 'sticker'] as const
const TYPES = ['text', ...MEDIA, 'location', 'contacts', 'interactive', 'template', 'reaction'] as const

const obj = (v: unknown): Body | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Body) : undefined

function checkMedia(type: string, media: Body | undefined) {
  if (!media) throw invalidParam(`The parameter ${type} is required.`)
  const link = media.link
  if (!media.id && !link) throw invalidParam(`Param ${type} must have either an id or a link.`)
  if (link !== undefined && (typeof link !== 'string' || !/^https?:\/\/\S+$/.test(link)))
    throw invalidParam(`Param ${type}['link'] is not a valid URL.`)
  if ((type === 'audio' || type === 'sticker') && media.caption !== undefined)
    throw invalidParam(`Param ${type}['caption'] is not supported for ${type}.`)
  checkText(media.caption, `${type}['caption']`, 1024)
  checkText(media.filename, `${type}['filename']`, 240)
}

function checkInteractive(i: Body | undefined) {
  if (!i) throw invalidParam('The parameter interactive is required.')
  const body = obj(i.body)
  const action = obj(i.action)
  if (!action) throw invalidParam("The parameter interactive['action'] is required.")
  if (i.type === 'button') {
    checkText(body?.text, "interactive['body']['text']", 1024, { required: true })
    const buttons = action.buttons
    if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3)
      throw invalidParam("Param interactive['action']['buttons'] must have between 1 and 3 elements.")
    const titles = new Set<string>()
    const ids = new Set<string>()
    for (const [n, b] of buttons.entries()) {
      const reply = obj(obj(b)?.reply)
      if (obj(b)?.type !== 'reply' || !reply)
        throw invalidParam(`Param interactive['action']['buttons'][${n}] must be a reply button.`)
      checkText(reply.title, `interactive['action']['buttons'][${n}]['reply']['title']`, 20, {
        required: true,
      })
      checkText(reply.id, `interactive['action']['buttons'][${n}]['reply']['id']`, 256, { required: true })
      if (titles.has(String(reply.title)) || ids.has(String(reply.id)))
        throw invalidParam('Buttons must have unique titles and ids.')
      titles.add(String(reply.title))
      ids.add(String(reply.id))
    }
    return
  }
  if (i.type === 'list') {
    checkText(body?.text, "interactive['body']['text']", 4096, { required: true })
    checkText(action.button, "interactive['action']['button']", 20, { required: true })
    const sections = action.sections
    if (!Array.isArray(sections) || sections.length < 1 || sections.length > 10)
      throw invalidParam("Param interactive['action']['sections'] must have between 1 and 10 elements.")
    let rows = 0
    for (const [n, s] of sections.entries()) {
      const section = obj(s) ?? {}
      checkText(section.title, `interactive['action']['sections'][${n}]['title']`, 24, {
        required: sections.length > 1,
      })
      const list = Array.isArray(section.rows) ? section.rows : []
      if (list.length === 0)
        throw invalidParam(`Param interactive['action']['sections'][${n}]['rows'] is required.`)
      for (const [r, row] of list.entries()) {
        const x = obj(row) ?? {}
        const at = `interactive['action']['sections'][${n}]['rows'][${r}]`
        checkText(x.id, `${at}['id']`, 200, { required: true })
        checkText(x.title, `${at}['title']`, 24, { required: true })
        checkText(x.description, `${at}['description']`, 72)
      }
      rows += list.length
    }
    if (rows > 10) throw invalidParam('Total row count exceed max allowed count: 10')
    return
  }
  throw invalidParam(
    `Param interactive['type'] must be one of {button, list, product, product_list, cta_url, flow}.`,
  )
}

const paramsOf = (components: Body[], type: string) =>
  (components.find((c) => c.type === type)?.parameters as unknown[] | undefined) ?? []

/** Checks a template message against the registry: name, language, status and parameter counts. */
function checkTemplate(t: Body | undefined, registry: SimTemplate[]) {
  if (!t) throw invalidParam('The parameter template is required.')
  const code = obj(t.language)?.code
  if (typeof t.name !== 'string' || typeof code !== 'string')
    throw invalidParam("Params template['name'] and template['language']['code'] are required.")
  const found = registry.find((x) => x.name === t.name && x.language === code)
  if (!found || found.status === 'PENDING' || found.status === 'REJECTED')
    throw graphError(132001, 'Template name does not exist in the translation', {
      whatsapp: true,
      details: `template name (${t.name}) does not exist in ${code}`,
    })
  if (found.status === 'PAUSED')
    throw graphError(132015, 'Template is Paused', {
      whatsapp: true,
      details: `Template ${t.name} is paused due to low quality.`,
    })
  if (found.status === 'DISABLED')
    throw graphError(132016, 'Template is Disabled', {
      whatsapp: true,
      details: `Template ${t.name} is disabled.`,
    })
  const given = Array.isArray(t.components) ? (t.components as Body[]) : []
  const def = (type: string) => found.components.find((c) => c.type === type)
  const mismatch = (where: string, expected: number, got: number) =>
    graphError(132000, 'Number of parameters does not match the expected number of params', {
      whatsapp: true,
      details: `${where}: number of localizable_params (${got}) does not match the expected number of params (${expected})`,
    })
  const header = def('HEADER')
  const headerParams = paramsOf(given, 'header')
  if (header?.format === 'TEXT' || (header && !header.format)) {
    const need = varCount(header.text)
    if (headerParams.length !== need) throw mismatch('header', need, headerParams.length)
  } else if (header && header.format !== 'LOCATION') {
    const kind = String(header.format).toLowerCase()
    const p = obj(headerParams[0])
    if (headerParams.length !== 1 || p?.type !== kind || !obj(p[kind])?.link)
      throw mismatch(`header (${kind})`, 1, headerParams.length)
  }
  const need = varCount(def('BODY')?.text)
  const body = paramsOf(given, 'body')
  if (body.length !== need) throw mismatch('body', need, body.length)
  for (const p of body) checkText(obj(p)?.text, "template body parameter['text']", 32_768, { required: true })
  const buttons = (def('BUTTONS')?.buttons as Body[] | undefined) ?? []
  for (const c of given.filter((x) => x.type === 'button')) {
    const b = buttons[Number(c.index)]
    if (!b) throw invalidParam(`Button at index ${String(c.index)} does not exist in template ${t.name}.`)
    const expected = b.type === 'URL' && varCount(b.url) ? 1 : b.type === 'QUICK_REPLY' ? 1 : 0
    const got = Array.isArray(c.parameters) ? c.parameters.length : 0
    if (got !== expected) throw mismatch(`button ${String(c.index)}`, expected, got)
  }
  for (const [index, b] of buttons.entries()) {
    if (
      b.type === 'URL' &&
      varCount(b.url) &&
      !given.some((c) => c.type === 'button' && Number(c.index) === index)
    )
      throw mismatch(`button ${index}`, 1, 0)
  }
  return found
}

export type CheckedWhatsapp = { to: string; type: (typeof TYPES)[number]; template?: SimTemplate }

export function checkWhatsappMessage(body: Body, registry: SimTemplate[]): CheckedWhatsapp {
  if (body.messaging_product !== 'whatsapp')
    throw invalidParam('The parameter messaging_product is required.')
  if (
    body.recipient_type !== undefined &&
    body.recipient_type !== 'individual' &&
    body.recipient_type !== 'group'
  )
    throw invalidParam("Param recipient_type must be 'individual'.")
  const to = typeof body.to === 'string' ? body.to.replace(/^\+/, '') : ''
  if (!/^\d{7,15}$/.test(to)) throw invalidParam('The parameter to is not a valid phone number.')
  const type = (body.type ?? 'text') as (typeof TYPES)[number]
  if (!TYPES.includes(type)) throw invalidParam(`Param type must be one of {${TYPES.join(', ')}}.`)
  const context = obj(body.context)
  if (context && typeof context.message_id !== 'string')
    throw invalidParam("Param context['message_id'] is required.")
  const part = obj(body[type])
  if (type === 'text') {
    checkText(part?.body, "text['body']", 4096, { required: true })
  } else if ((MEDIA as readonly string[]).includes(type)) {
    checkMedia(type, part)
  } else if (type === 'location') {
    if (typeof part?.latitude !== 'number' || typeof part.longitude !== 'number')
      throw invalidParam("Params location['latitude'] and location['longitude'] are required numbers.")
  } else if (type === 'interactive') {
    checkInteractive(part)
  } else if (type === 'template') {
    return { to, type, template: checkTemplate(part, registry) }
  } else if (type === 'reaction') {
    if (typeof part?.message_id !== 'string') throw invalidParam("Param reaction['message_id'] is required.")
  } else if (type === 'contacts') {
    if (!Array.isArray(body.contacts)) throw invalidParam('The parameter contacts is required.')
  }
  return { to, type }
}
