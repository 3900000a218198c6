/** The one fetch wrapper: JSON in and out, the CSRF header on writes, typed errors. */
export type FieldProblem = { path: string; message: string }

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message)
  }

  /** The message for a form field, matched on the last path segment ("body.email" → "email"). */
  field(name: string): string | undefined {
    return this.fields.find((f) => f.path === name || f.path.endsWith(`.${name}`))?.message
  }
}

let csrfToken: string | undefined
export function setCsrfToken(token: string | undefined) {
  csrfToken = token
}

async function parse<T>(res: Response): Promise<T> {
  const type = res.headers.get('content-type') ?? ''
  const data: unknown = type.includes('application/json') ? await res.json() : await res.text()
  if (!res.ok) {
    const e = (data as { error?: { code: string; message: string; fields?: FieldProblem[] } })?.error
    throw new ApiError(res.status, e?.code ?? 'http_error', e?.message ?? res.statusText, e?.fields ?? [])
  }
  if (data && typeof data === 'object' && 'csrfToken' in data)
    setCsrfToken((data as { csrfToken: string }).csrfToken)
  return data as T
}

/** Sends a file as the raw request body with its own Content-Type (uploads: avatar, files API). */
export async function putBytes<T>(path: string, file: Blob): Promise<T> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': file.type || 'application/octet-stream',
  }
  if (csrfToken) headers['x-csrf-token'] = csrfToken
  let res: Response
  try {
    res = await fetch(path, { method: 'PUT', headers, credentials: 'same-origin', body: file })
  } catch {
    throw new ApiError(0, 'network', 'network')
  }
  return parse<T>(res)
}

export async function api<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken
  let res: Response
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
  } catch {
    throw new ApiError(0, 'network', 'network')
  }
  return parse<T>(res)
}

export const get = <T>(path: string) => api<T>('GET', path)
export const post = <T>(path: string, body: unknown = {}) => api<T>('POST', path, body)
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body)
export const put = <T>(path: string, body: unknown = {}) => api<T>('PUT', path, body)
export const del = <T>(path: string, body?: unknown) => api<T>('DELETE', path, body)

/**
 * Sends a file as the raw request body (POST /files takes its name in ?name=; CSV imports); the
 * answer is JSON like every other call.
 */
export async function upload<T>(path: string, file: Blob, contentType?: string): Promise<T> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': contentType ?? (file.type || 'application/octet-stream'),
  }
  if (csrfToken) headers['x-csrf-token'] = csrfToken
  let res: Response
  try {
    res = await fetch(path, { method: 'POST', headers, credentials: 'same-origin', body: file })
  } catch {
    throw new ApiError(0, 'network', 'network')
  }
  const data: unknown = await res.json().catch(() => null)
  if (!res.ok) {
    const e = (data as { error?: { code: string; message: string; fields?: FieldProblem[] } })?.error
    throw new ApiError(res.status, e?.code ?? 'http_error', e?.message ?? res.statusText, e?.fields ?? [])
  }
  return data as T
}

/** Fetches a text resource (CSV reports) with the session cookie. */
export async function getText(path: string): Promise<string> {
  const res = await fetch(path, { credentials: 'same-origin' })
  if (!res.ok) throw new ApiError(res.status, 'http_error', res.statusText)
  return res.text()
}

/**
 * Like `upload`, through XMLHttpRequest so the caller sees the upload's progress (0–1); fetch
 * cannot report it. `signal` aborts the upload.
 */
export function uploadWithProgress<T>(
  path: string,
  file: Blob,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', path)
    xhr.withCredentials = true
    xhr.setRequestHeader('accept', 'application/json')
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream')
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken)
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total)
    }
    xhr.onerror = () => reject(new ApiError(0, 'network', 'network'))
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'aborted'))
    xhr.onload = () => {
      let data: unknown = null
      try {
        data = JSON.parse(xhr.responseText)
      } catch {}
      if (xhr.status < 200 || xhr.status >= 300) {
        const e = (data as { error?: { code: string; message: string; fields?: FieldProblem[] } })?.error
        reject(
          new ApiError(xhr.status, e?.code ?? 'http_error', e?.message ?? xhr.statusText, e?.fields ?? []),
        )
        return
      }
      onProgress(1)
      resolve(data as T)
    }
    signal?.addEventListener('abort', () => xhr.abort(), { once: true })
    xhr.send(file)
  })
}
