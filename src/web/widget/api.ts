/** The visitor API (/widget/v1/<key>/…), with the short-lived token renewed from the visitor id. */

export type WidgetConfig = {
  title: string
  greeting: string
  color: string
  position: 'end' | 'start'
  preChat: { enabled: boolean; requireName: boolean; requireEmail: boolean }
  /** The team's business hours now (null: none set, always answered). */
  availability: Availability | null
}
export type Availability = { open: boolean; nextOpenAt: string | null }
export type ChatMessage = {
  id: number
  from: 'visitor' | 'agent'
  type: string
  text: string | null
  media: { url: string | null; fileName: string | null } | null
  status: string
  createdAt: string
}
export type SiteUser = { id: string; email?: string; name?: string; hash: string }

export class WidgetApi {
  token = ''
  verified = false
  private readonly base: string

  constructor(
    origin: string,
    readonly key: string,
    private readonly visitorId: string,
    private readonly user: SiteUser | undefined,
  ) {
    this.base = `${origin}/widget/v1/${encodeURIComponent(key)}`
  }

  private async request<T>(method: string, path: string, body?: unknown, retry = true): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    })
    if (res.status === 401 && retry && path !== '/session') {
      await this.session()
      return this.request(method, path, body, false)
    }
    if (!res.ok) throw new Error(`chat ${method} ${path}: ${res.status}`)
    return (await res.json()) as T
  }

  config = () => this.request<WidgetConfig>('GET', '/config')

  async session(): Promise<void> {
    const s = await this.request<{ token: string; verified: boolean }>('POST', '/session', {
      visitorId: this.visitorId,
      ...(this.user ? { user: this.user } : {}),
    })
    this.token = s.token
    this.verified = s.verified
  }

  history = async () => (await this.request<{ messages: ChatMessage[] }>('GET', '/messages')).messages

  send = (body: { clientId: string; text: string; name?: string; email?: string; language: string }) =>
    this.request<ChatMessage>('POST', '/messages', body)

  ack = (messageIds: number[], status: 'delivered' | 'read') =>
    messageIds.length ? this.request('POST', '/ack', { messageIds, status }) : Promise.resolve()

  streamUrl = () => `${this.base}/stream?token=${encodeURIComponent(this.token)}`
}

export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18))
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
}
