import type { App } from '../app'

export type TestResponse<T = any> = {
  status: number
  body: T
  headers: Record<string, number | string | string[] | undefined>
  text: string
}

/** An HTTP client over app.inject with a cookie jar and the CSRF header, like the web app. */
export class TestClient {
  cookies = new Map<string, string>()
  csrf: string | undefined
  bearer: string | undefined

  constructor(readonly app: App) {}

  async request<T = any>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<TestResponse<T>> {
    const h: Record<string, string> = { ...headers }
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    if (this.csrf && method !== 'GET' && !('x-csrf-token' in h)) h['x-csrf-token'] = this.csrf
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
    if (payload !== undefined && !h['content-type']) h['content-type'] = 'application/json'
    const res = await this.app.inject({
      method,
      url,
      headers: h,
      ...(payload !== undefined ? { payload } : {}),
    })
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now()) || c.value === ''
      if (expired) this.cookies.delete(c.name)
      else this.cookies.set(c.name, c.value)
    }
    let parsed: unknown = res.body
    if (String(res.headers['content-type'] ?? '').includes('application/json')) parsed = JSON.parse(res.body)
    if (parsed && typeof parsed === 'object' && 'csrfToken' in parsed)
      this.csrf = (parsed as { csrfToken: string }).csrfToken
    return { status: res.statusCode, body: parsed as T, headers: res.headers, text: res.body }
  }

  get = <T = any>(url: string, headers?: Record<string, string>) =>
    this.request<T>('GET', url, undefined, headers)
  post = <T = any>(url: string, body?: unknown, headers?: Record<string, string>) =>
    this.request<T>('POST', url, body ?? {}, headers)
  patch = <T = any>(url: string, body?: unknown) => this.request<T>('PATCH', url, body ?? {})
  put = <T = any>(url: string, body?: unknown) => this.request<T>('PUT', url, body)
  delete = <T = any>(url: string, body?: unknown) => this.request<T>('DELETE', url, body)
}
