import { createVerify, generateKeyPairSync, randomBytes } from 'node:crypto'
import { json, type SimReply, type SimRequest, startHttp } from '../http'
import type { SimulatorHandle } from '../simulator'

/**
 * Google's OAuth 2.0 token endpoint for service accounts and the Sheets API v4
 * spreadsheets.values.append, as published:
 *
 * - POST /token, form-encoded grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer and an RS256
 *   JWT assertion (iss = the service account, aud = the token URL, scope, iat, exp ≤ iat + 3600)
 *   → {access_token, expires_in, token_type}; errors {error, error_description} (invalid_grant,
 *   unsupported_grant_type, invalid_scope).
 * - POST /v4/spreadsheets/{id}/values/{range}:append?valueInputOption=… with a Bearer token and
 *   {values: [[…]]} → {spreadsheetId, tableRange, updates: {updatedRange, updatedRows, …}};
 *   errors {error: {code, message, status}} (UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND,
 *   INVALID_ARGUMENT).
 */
export type Sheet = { title: string; rows: string[][] }
export type Spreadsheet = { id: string; sheets: Sheet[]; editors: Set<string> }

const fail = (code: number, status: string, message: string): SimReply =>
  json(code, { error: { code, message, status } })
const oauthFail = (error: string, description: string): SimReply =>
  json(400, { error, error_description: description })

const COLUMNS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const column = (n: number) => (n < 26 ? COLUMNS[n]! : `${COLUMNS[Math.floor(n / 26) - 1]}${COLUMNS[n % 26]}`)

export async function startGoogleSimulator(opts: { port?: number; host?: string; now?: () => number } = {}) {
  const now = () => Math.floor((opts.now ?? Date.now)() / 1000)
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const account = {
    email: 'tawasul-sim@tawasul-sim.iam.gserviceaccount.com',
    keyId: randomBytes(20).toString('hex'),
    publicKey,
  }
  const tokens = new Map<string, { email: string; scope: string; expires: number }>()
  const spreadsheets = new Map<string, Spreadsheet>()
  const requests: { path: string; status: number; body: unknown }[] = []
  let failNext: SimReply | undefined
  let url = ''

  function token(req: SimRequest): SimReply {
    const form = new URLSearchParams(req.raw.toString('utf8'))
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
      return oauthFail('unsupported_grant_type', `Invalid grant_type: ${form.get('grant_type') ?? ''}`)
    const parts = (form.get('assertion') ?? '').split('.')
    if (parts.length !== 3) return oauthFail('invalid_grant', 'Invalid JWT: malformed.')
    let header: { alg?: string }
    let claims: { iss?: string; scope?: string; aud?: string; iat?: number; exp?: number }
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'))
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'))
    } catch {
      return oauthFail('invalid_grant', 'Invalid JWT: malformed.')
    }
    if (header.alg !== 'RS256') return oauthFail('invalid_grant', 'Invalid JWT Signature.')
    const ok = createVerify('RSA-SHA256')
      .update(`${parts[0]}.${parts[1]}`)
      .verify(account.publicKey, Buffer.from(parts[2]!, 'base64url'))
    if (!ok || claims.iss !== account.email) return oauthFail('invalid_grant', 'Invalid JWT Signature.')
    if (claims.aud !== `${url}/token`)
      return oauthFail(
        'invalid_grant',
        `Invalid JWT: Failed audience check. The right audience is ${url}/token`,
      )
    const t = now()
    if (
      typeof claims.iat !== 'number' ||
      typeof claims.exp !== 'number' ||
      claims.exp - claims.iat > 3600 ||
      claims.exp <= t ||
      claims.iat > t + 60
    )
      return oauthFail(
        'invalid_grant',
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
      )
    if (!claims.scope) return oauthFail('invalid_scope', 'Invalid OAuth scope or ID token audience provided.')
    const accessToken = `ya29.sim-${randomBytes(24).toString('base64url')}`
    tokens.set(accessToken, { email: account.email, scope: claims.scope, expires: t + 3599 })
    return json(200, { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' })
  }

  function append(req: SimRequest, spreadsheetId: string, range: string): SimReply {
    const auth = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ''))
    const t = auth ? tokens.get(auth[1]!) : undefined
    if (!t || t.expires <= now())
      return fail(
        401,
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      )
    if (!t.scope.split(' ').includes('https://www.googleapis.com/auth/spreadsheets'))
      return fail(403, 'PERMISSION_DENIED', 'Request had insufficient authentication scopes.')
    const sheet = spreadsheets.get(spreadsheetId)
    if (!sheet) return fail(404, 'NOT_FOUND', 'Requested entity was not found.')
    if (!sheet.editors.has(t.email))
      return fail(403, 'PERMISSION_DENIED', 'The caller does not have permission')
    const option = req.url.searchParams.get('valueInputOption')
    if (!option) return fail(400, 'INVALID_ARGUMENT', "'valueInputOption' is required but not specified")
    if (option !== 'RAW' && option !== 'USER_ENTERED')
      return fail(
        400,
        'INVALID_ARGUMENT',
        `Invalid value at 'value_input_option' (type.googleapis.com/google.apps.sheets.v4.ValueInputOption), "${option}"`,
      )
    const title = range.includes('!') ? range.slice(0, range.indexOf('!')).replace(/^'|'$/g, '') : range
    const tab = sheet.sheets.find((s) => s.title === title)
    if (!tab) return fail(400, 'INVALID_ARGUMENT', `Unable to parse range: ${range}`)
    let body: { values?: unknown; majorDimension?: string }
    try {
      body = JSON.parse(req.raw.toString('utf8'))
    } catch {
      return fail(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.')
    }
    if (!Array.isArray(body.values) || !body.values.every((r) => Array.isArray(r)))
      return fail(
        400,
        'INVALID_ARGUMENT',
        'Invalid JSON payload received. Unknown name "values": Proto field is not repeating, cannot start list.',
      )
    const rows = (body.values as unknown[][]).map((r) =>
      r.map((v) => (v === null || v === undefined ? '' : String(v))),
    )
    const first = tab.rows.length
    const tableWidth = Math.max(1, ...tab.rows.map((r) => r.length))
    tab.rows.push(...rows)
    const width = Math.max(1, ...rows.map((r) => r.length))
    const cells = rows.reduce((n, r) => n + r.length, 0)
    return json(200, {
      spreadsheetId,
      ...(first ? { tableRange: `${tab.title}!A1:${column(tableWidth - 1)}${first}` } : {}),
      updates: {
        spreadsheetId,
        updatedRange: `${tab.title}!A${first + 1}:${column(width - 1)}${first + rows.length}`,
        updatedRows: rows.length,
        updatedColumns: width,
        updatedCells: cells,
      },
    })
  }

  const server = await startHttp(opts, (req) => {
    let reply: SimReply
    const m = /^\/v4\/spreadsheets\/([^/]+)\/values\/([^/]+):append$/.exec(req.url.pathname)
    if (failNext) {
      reply = failNext
      failNext = undefined
    } else if (req.method === 'POST' && req.url.pathname === '/token') reply = token(req)
    else if (req.method === 'POST' && m)
      reply = append(req, decodeURIComponent(m[1]!), decodeURIComponent(m[2]!))
    else reply = fail(404, 'NOT_FOUND', `No method ${req.method} ${req.url.pathname}`)
    let body: unknown = req.raw.toString('utf8')
    try {
      body = JSON.parse(String(body))
    } catch {}
    requests.push({ path: req.url.pathname, status: reply.status, body })
    return reply
  })
  url = server.url

  /** The JSON key file Google gives for this service account. */
  const keyFile = {
    type: 'service_account' as const,
    project_id: 'tawasul-sim',
    private_key_id: account.keyId,
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: account.email,
    client_id: '100000000000000000001',
    token_uri: `${url}/token`,
  }

  return {
    provider: 'google',
    url,
    keyFile,
    spreadsheets,
    requests,
    /** A spreadsheet with tabs, shared with the service account unless `shared` is false. */
    createSpreadsheet(tabs: string[] = ['Sheet1'], shared = true): Spreadsheet {
      const id = `1${randomBytes(21).toString('base64url')}`
      const s: Spreadsheet = {
        id,
        sheets: tabs.map((title) => ({ title, rows: [] })),
        editors: new Set(shared ? [account.email] : []),
      }
      spreadsheets.set(id, s)
      return s
    },
    failNextWith(status: number, statusText: string, message: string) {
      failNext = fail(status, statusText, message)
    },
    details: { clientEmail: account.email, tokenUrl: `${url}/token`, keyFile: JSON.stringify(keyFile) },
    close: server.close,
  } satisfies SimulatorHandle & Record<string, unknown>
}

export type GoogleSimulator = Awaited<ReturnType<typeof startGoogleSimulator>>
