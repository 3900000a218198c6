import type { ChatMessage, WidgetConfig } from './api'
import { type Lang, STRINGS, type StringKey } from './strings'
import { css } from './styles'

type El = keyof HTMLElementTagNameMap
function h<K extends El>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]) {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v)
  el.append(...children)
  return el
}

const BUBBLE =
  '<svg viewBox="0 0 24 24" fill="currentColor" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>'

/** The widget's DOM, in a shadow root of its own element; no framework, a few kB. */
export function createView(config: WidgetConfig, lang: Lang) {
  const s = (k: StringKey) => STRINGS[lang][k]
  const host = h('div', { id: 'tawasul-chat', 'data-tawasul': 'widget' })
  const shadow = host.attachShadow({ mode: 'open' })
  const style = h('style')
  style.textContent = css(config.color)

  const badge = h('span', { class: 'badge', hidden: '' })
  const launcher = h('button', {
    class: 'launcher',
    type: 'button',
    'aria-label': s('open'),
    'aria-expanded': 'false',
  })
  launcher.innerHTML = BUBBLE
  launcher.append(badge)

  const close = h('button', { class: 'close', type: 'button', 'aria-label': s('close') }, '×')
  const title = h('h2', { dir: 'auto' }, config.title || s('defaultTitle'))
  const list = h('div', { class: 'list', role: 'log', 'aria-live': 'polite', 'aria-label': s('messages') })
  const status = h('div', { class: 'status', role: 'status', hidden: '' })
  /** Out of business hours: a notice above the composer; sending still works. */
  const away = h('div', { class: 'away', role: 'note', hidden: '', 'data-tawasul': 'away' })

  const nameInput = h('input', { name: 'name', dir: 'auto', autocomplete: 'name' })
  const emailInput = h('input', { name: 'email', type: 'email', dir: 'ltr', autocomplete: 'email' })
  const formError = h('div', { class: 'error', role: 'alert', hidden: '' })
  const label = (text: string, required: boolean, input: HTMLInputElement) =>
    h('label', {}, required ? text : `${text} ${s('optional')}`, input)
  const prechat = h(
    'form',
    { class: 'prechat', hidden: '', novalidate: '' },
    h('p', {}, s('preChatIntro')),
    label(s('name'), config.preChat.requireName, nameInput),
    label(s('email'), config.preChat.requireEmail, emailInput),
    formError,
    h('button', { class: 'primary', type: 'submit' }, s('start')),
  )

  const textarea = h('textarea', {
    dir: 'auto',
    rows: '1',
    placeholder: s('placeholder'),
    'aria-label': s('placeholder'),
  })
  const sendButton = h('button', { class: 'primary', type: 'submit' }, s('send'))
  const composer = h('form', { class: 'composer' }, textarea, sendButton)

  const panel = h(
    'div',
    { class: 'panel', role: 'dialog', 'aria-label': config.title || s('defaultTitle'), hidden: '' },
    h('header', {}, title, close),
    list,
    status,
    away,
    prechat,
    composer,
  )
  const root = h(
    'div',
    { class: `root ${config.position}`, dir: lang === 'ar' ? 'rtl' : 'ltr', lang },
    panel,
    launcher,
  )
  shadow.append(style, root)

  const rendered = new Map<string, HTMLElement>()
  const bubble = (m: Pick<ChatMessage, 'from' | 'text' | 'media'>) => {
    const el = h('div', { class: `msg ${m.from}`, dir: 'auto' })
    el.setAttribute('aria-label', m.from === 'visitor' ? s('you') : s('team'))
    if (m.text) el.append(m.text)
    if (m.media?.url) {
      if (m.text) el.append(h('br'))
      el.append(
        h('a', { href: m.media.url, target: '_blank', rel: 'noopener' }, m.media.fileName || s('attachment')),
      )
    }
    return el
  }
  if (config.greeting) list.append(h('div', { class: 'msg agent greeting', dir: 'auto' }, config.greeting))

  return {
    host,
    launcher,
    close,
    panel,
    prechat,
    nameInput,
    emailInput,
    composer,
    textarea,
    /** Adds or replaces a message; `key` is the server id, or the client id while sending. */
    upsert(key: string, m: Pick<ChatMessage, 'from' | 'text' | 'media'>, replaces?: string) {
      const el = bubble(m)
      const old = rendered.get(key) ?? (replaces ? rendered.get(replaces) : undefined)
      if (old) old.replaceWith(el)
      else list.append(el)
      if (replaces) rendered.delete(replaces)
      rendered.set(key, el)
      list.scrollTop = list.scrollHeight
      return el
    },
    has: (key: string) => rendered.has(key),
    markFailed(key: string) {
      rendered.get(key)?.classList.add('failed')
    },
    setUnread(n: number) {
      badge.hidden = n === 0
      badge.textContent = n > 99 ? '99+' : String(n)
      badge.setAttribute('aria-label', `${n} ${s('unread')}`)
    },
    setOpen(open: boolean) {
      panel.hidden = !open
      launcher.setAttribute('aria-expanded', String(open))
      if (open) list.scrollTop = list.scrollHeight
    },
    showPrechat(show: boolean) {
      prechat.hidden = !show
      composer.hidden = show
    },
    formError(text: string) {
      formError.hidden = !text
      formError.textContent = text
    },
    /** The away notice, '' to hide it. */
    away(text: string) {
      away.hidden = !text
      away.textContent = text
    },
    status(text: string) {
      status.hidden = !text
      status.textContent = text
    },
    s,
  }
}
export type View = ReturnType<typeof createView>
