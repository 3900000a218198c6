import { z } from 'zod'
import { openCredential } from '../credentials'
import { GoogleAuthError, googleAccessToken } from '../http/google-auth'
import { errorText, jsonBody } from '../http/outbound'
import { defineStep } from '../step'

const configSchema = z.strictObject({
  credentialId: z.number().int().positive({ error: 'Choose a Google service account.' }),
  spreadsheetId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{10,100}$/, 'The id from the sheet URL (…/spreadsheets/d/<id>/…).'),
  /** The A1 range the table is in, e.g. "Sheet1" or "Leads!A:E"; the row is added after its last row. */
  range: z.string().trim().min(1).max(200).default('Sheet1'),
  /** One value per column, with $variables (rule 84). */
  columns: z.array(z.string().max(5000)).min(1, 'Add at least one column.').max(50),
})

/**
 * Rule 84: appends a row (Sheets API v4 spreadsheets.values.append, USER_ENTERED, INSERT_ROWS)
 * with a service account's OAuth 2.0 token. The append API has no idempotency key, so after an
 * interrupted attempt the row is not appended again (it may already be there): the step takes
 * Failure and says so rather than risk a duplicate row.
 */
export const googleSheets = defineStep({
  kind: 'google_sheets',
  label: 'Add Google Sheets Row',
  configSchema,
  external: true,
  outcomes: () => ({ continue: 'success', branches: ['failure'] }),
  references: (c) => [
    {
      kind: 'credential',
      id: c.credentialId,
      credential: 'google_service_account',
      path: 'config.credentialId',
    },
  ],
  async run(s) {
    const c = s.config
    const row = await Promise.all(c.columns.map((v) => s.interpolate(v)))
    const target = { spreadsheetId: c.spreadsheetId, range: c.range, row }
    if (s.mode === 'dry')
      return { next: s.dry?.outcome === 'failure' ? 'failure' : 'success', output: { wouldAppend: target } }
    if (s.attempt > 1)
      return {
        next: 'failure',
        output: {
          ...target,
          error:
            'A previous attempt was interrupted; the row may already be in the sheet, so it is not appended twice.',
        },
      }
    const cred = await openCredential(
      s.ctx,
      s.ctx.db,
      s.workspaceId,
      c.credentialId,
      'google_service_account',
    )
    try {
      const token = await googleAccessToken(s.http, cred, s.now)
      const url = `${cred.details.apiBaseUrl!.replace(/\/+$/, '')}/v4/spreadsheets/${encodeURIComponent(c.spreadsheetId)}/values/${encodeURIComponent(c.range)}:append?valueInputOption=USER_ENTERED&insertDataOption=INSERT_ROWS`
      const res = await s.http.request({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ majorDimension: 'ROWS', values: [row] }),
        timeoutMs: 10_000,
        maxBytes: 64 * 1024,
      })
      const body = jsonBody<{
        updates?: { updatedRange?: string; updatedRows?: number }
        error?: { message?: string; status?: string }
      }>(res)
      if (res.status === 200 && body.updates)
        return {
          next: 'success',
          output: {
            ...target,
            updatedRange: body.updates.updatedRange,
            updatedRows: body.updates.updatedRows,
          },
        }
      return {
        next: 'failure',
        output: { ...target, status: res.status, error: body.error?.message ?? res.body.slice(0, 300) },
      }
    } catch (err) {
      return {
        next: 'failure',
        output: { ...target, error: err instanceof GoogleAuthError ? err.message : errorText(err) },
      }
    }
  },
})
