/**
 * The website chat widget: one script tag on any site (docs/widget.md).
 *   <script src="https://tawasul.example.com/widget.js" data-channel="…" charset="utf-8" async></script>
 * Optional: data-lang="ar|en"; window.TawasulSettings = { user: { id, email, name, hash } } for a
 * visitor the site has signed in (identity HMAC).
 */
import { type ChatMessage, randomId, type SiteUser, WidgetApi, type WidgetConfig } from './api'
import { awayNotice, type Lang, pickLanguage, visitorLocale } from './strings'
import { createView, type View } from './view'

declare global {
  interface Window {
    TawasulSettings?: { user?: SiteUser }
    TawasulWidgetLoaded?: boolean
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

function store(key: string) {
  const safe = <T>(fn: () => T, fallback: T) => {
    try {
      return fn()
    } catch {
      return fallback // storage can be blocked (third-party contexts, privacy modes)
    }
  }
  return {
    get: (k: string) => safe(() => localStorage.getItem(`tawasul:${key}:${k}`), null),
    set: (k: string, v: string) => safe(() => localStorage.setItem(`tawasul:${key}:${k}`, v), undefined),
  }
}

async function boot(script: HTMLScriptElement) {
  const key = script.dataset.channel
  if (!key) return console.warn('Tawasul chat: the script tag needs data-channel.')
  const origin = new URL(script.src, location.href).origin
  const lang = pickLanguage(script.dataset.lang, document.documentElement.lang, navigator.language)
  const saved = store(key)
  let visitorId = saved.get('visitor')
  if (!visitorId) {
    visitorId = randomId()
    saved.set('visitor', visitorId)
  }
  const api = new WidgetApi(origin, key, visitorId, window.TawasulSettings?.user)
  let config: Awaited<ReturnType<WidgetApi['config']>>
  try {
    config = await api.config()
  } catch (err) {
    // A site that is not among the channel's allowed origins is refused (403): show nothing.
    return console.warn('Tawasul chat is not available on this site.', err)
  }
  const view = createView(config, lang)
  document.body.append(view.host)
  await api.session()
  const controller = new Chat(api, view, config, lang, saved)
  await controller.start()
}

class Chat {
  private open = false
  private unread = new Set<number>()
  private messages: ChatMessage[] = []
  private stream: EventSource | undefined
  private profile: { name?: string; email?: string }
  private availabilityTimer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly api: WidgetApi,
    private readonly view: View,
    private readonly config: Awaited<ReturnType<WidgetApi['config']>>,
    private readonly lang: Lang,
    private readonly saved: ReturnType<typeof store>,
  ) {
    this.profile = JSON.parse(saved.get('profile') ?? '{}')
  }

  async start() {
    const { view } = this
    view.launcher.addEventListener('click', () => this.setOpen(!this.open))
    view.close.addEventListener('click', () => this.setOpen(false))
    view.prechat.addEventListener('submit', (e) => {
      e.preventDefault()
      this.submitProfile()
    })
    view.composer.addEventListener('submit', (e) => {
      e.preventDefault()
      void this.sendText()
    })
    view.textarea.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault()
        void this.sendText()
      }
    })
    document.addEventListener('visibilitychange', () => this.markRead())
    this.showAvailability(this.config.availability)
    this.messages = await this.api.history()
    for (const m of this.messages) this.show(m)
    const needsProfile =
      this.config.preChat.enabled && !this.api.verified && !this.profile.email && !this.profile.name
    view.showPrechat(needsProfile && this.messages.length === 0)
    const fresh = this.messages.filter((m) => m.from === 'agent' && m.status !== 'read')
    for (const m of fresh) this.unread.add(m.id)
    this.view.setUnread(this.unread.size)
    await this.api.ack(
      fresh.filter((m) => m.status === 'sent').map((m) => m.id),
      'delivered',
    )
    this.connect()
    // Renew the short-lived token before it expires; the stream reconnects with it.
    setInterval(() => {
      void this.api.session().then(() => this.connect())
      void this.refreshAvailability()
    }, 50 * 60_000)
  }

  /** The away notice while the team is out of business hours; checked again when it should open. */
  private showAvailability(availability: WidgetConfig['availability']) {
    const locale = visitorLocale(
      this.lang,
      navigator.languages?.length ? navigator.languages : [navigator.language],
    )
    this.view.away(awayNotice(this.lang, availability, { now: new Date(), locale }))
    clearTimeout(this.availabilityTimer)
    if (availability && !availability.open && availability.nextOpenAt) {
      const wait = new Date(availability.nextOpenAt).getTime() - Date.now()
      // A few seconds' slack, and at least a minute between checks should the visitor's clock run
      // ahead of the server's; setTimeout holds at most ~24.8 days.
      this.availabilityTimer = setTimeout(
        () => void this.refreshAvailability(),
        Math.min(Math.max(wait + 5000, 60_000), 2 ** 31 - 1),
      )
    }
  }

  private async refreshAvailability() {
    try {
      this.showAvailability((await this.api.config()).availability)
    } catch {
      // Keep the notice as it is; the next renewal tries again.
    }
  }

  private connect() {
    this.stream?.close()
    const es = new EventSource(this.api.streamUrl())
    this.stream = es
    es.addEventListener('open', () => this.view.status(''))
    es.addEventListener('message', (e) => this.receive(JSON.parse((e as MessageEvent).data)))
    es.addEventListener('error', () => {
      if (es.readyState !== EventSource.CLOSED) return this.view.status(this.view.s('reconnecting'))
      // Closed for good (e.g. the token expired): get a new token and reconnect.
      this.view.status(this.view.s('reconnecting'))
      setTimeout(() => {
        this.api.session().then(
          () => this.connect(),
          () => setTimeout(() => this.connect(), 5000),
        )
      }, 2000)
    })
  }

  private show(m: ChatMessage, replaces?: string) {
    this.view.upsert(String(m.id), m, replaces)
  }

  private receive(m: ChatMessage) {
    if (this.view.has(String(m.id))) return
    this.messages.push(m)
    this.show(m)
    if (m.from !== 'agent') return
    if (this.open && document.visibilityState === 'visible') {
      void this.api.ack([m.id], 'read')
    } else {
      this.unread.add(m.id)
      this.view.setUnread(this.unread.size)
      void this.api.ack([m.id], 'delivered')
    }
  }

  private setOpen(open: boolean) {
    this.open = open
    this.view.setOpen(open)
    if (open) {
      this.markRead()
      ;(this.view.prechat.hidden ? this.view.textarea : this.view.nameInput).focus()
    }
  }

  private markRead() {
    if (!this.open || document.visibilityState !== 'visible' || this.unread.size === 0) return
    const ids = [...this.unread]
    this.unread.clear()
    this.view.setUnread(0)
    void this.api.ack(ids, 'read')
  }

  private submitProfile() {
    const { view, config } = this
    const name = view.nameInput.value.trim()
    const email = view.emailInput.value.trim()
    if ((config.preChat.requireName && !name) || (config.preChat.requireEmail && !email)) {
      return view.formError(view.s('required'))
    }
    if (email && !EMAIL.test(email)) return view.formError(view.s('invalidEmail'))
    view.formError('')
    this.profile = { ...(name ? { name } : {}), ...(email ? { email } : {}) }
    this.saved.set('profile', JSON.stringify(this.profile))
    view.showPrechat(false)
    view.textarea.focus()
  }

  private async sendText() {
    const text = this.view.textarea.value.trim()
    if (!text) return
    this.view.textarea.value = ''
    const clientId = randomId()
    const pending = `c:${clientId}`
    this.view.upsert(pending, { from: 'visitor', text, media: null })
    try {
      const m = await this.api.send({ clientId, text, language: this.lang, ...this.profile })
      this.messages.push(m)
      this.show(m, pending)
    } catch {
      this.view.markFailed(pending)
      this.view.status(this.view.s('sendFailed'))
    }
  }
}

// Once per page, even if the snippet is pasted twice.
const script = (document.currentScript ??
  document.querySelector('script[data-channel][src*="widget.js"]')) as HTMLScriptElement | null
if (script && !window.TawasulWidgetLoaded) {
  window.TawasulWidgetLoaded = true
  const run = () => void boot(script).catch((err) => console.warn('Tawasul chat failed to start.', err))
  if (document.body) run()
  else document.addEventListener('DOMContentLoaded', run)
}
