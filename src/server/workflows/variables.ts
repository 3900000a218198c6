import { DateTime } from 'luxon'
import { type Escape, interpolate, parseTemplate, readPath } from '../../shared/workflow/variables'
import { type ContactRow, findContact } from '../contacts/contacts.repo'
import type { DbOrTx } from '../db/database'
import { findUserById } from '../users/users.repo'
import { findWorkspace } from '../workspaces/workspaces.repo'

/**
 * Where `$variables` get their values (rules 87–89): the contact (standard fields and custom
 * keys), its assignee, the system clock in the workspace time zone, and the run's workflow
 * variables ($trigger.*, $http.*, answers, mappings). Loads only what a template uses.
 */
export class VariableScope {
  private contactRow: Promise<ContactRow | undefined> | undefined
  private assigneeRow: Promise<{ id: number; name: string; email: string } | undefined> | undefined
  private tz: Promise<string> | undefined

  constructor(
    private readonly db: DbOrTx,
    private readonly workspaceId: number,
    private readonly contactId: number,
    private readonly vars: Readonly<Record<string, unknown>>,
    private readonly now: Date,
    /** How the caller loads (and locks) the contact; called only if a template needs it. */
    private readonly loadContact?: () => Promise<ContactRow>,
  ) {}

  private contact() {
    this.contactRow ??= this.loadContact
      ? this.loadContact()
      : findContact(this.db, this.workspaceId, this.contactId)
    return this.contactRow
  }

  private assignee() {
    this.assigneeRow ??= this.contact().then(async (c) => {
      if (!c?.assigneeUserId) return undefined
      const u = await findUserById(this.db, c.assigneeUserId)
      return u ? { id: u.id, name: u.name, email: u.email } : undefined
    })
    return this.assigneeRow
  }

  private timezone() {
    this.tz ??= findWorkspace(this.db, this.workspaceId).then((w) => w?.timezone ?? 'UTC')
    return this.tz
  }

  async resolve(path: string[]): Promise<unknown> {
    const [root, ...rest] = path
    if (root === 'contact') {
      const c = await this.contact()
      if (!c) return undefined
      const key = rest[0]
      if (rest.length !== 1 || !key) return undefined
      return contactValue(c, key)
    }
    if (root === 'assignee') {
      const a = await this.assignee()
      if (!a || rest.length !== 1) return undefined
      return { id: a.id, name: a.name, email: a.email }[rest[0]!]
    }
    if (root === 'system') {
      if (rest.length !== 1) return undefined
      const at = DateTime.fromJSDate(this.now, { zone: await this.timezone() })
      const formats: Record<string, string> = {
        current_datetime: 'yyyy-MM-dd HH:mm:ss',
        current_date: 'yyyy-MM-dd',
        current_time: 'HH:mm:ss',
      }
      const f = formats[rest[0]!]
      return f ? at.toFormat(f) : undefined
    }
    return readPath(this.vars, path)
  }

  /** Fills a template; values are escaped for where they land (JSON string, URL component). */
  async fill(template: string, how: Escape = 'none'): Promise<string> {
    const values = new Map<string, unknown>()
    for (const t of parseTemplate(template)) {
      if (t.type === 'var' && !values.has(t.name)) values.set(t.name, await this.resolve(t.path))
    }
    return interpolate(template, (name) => values.get(name), how)
  }

  /** One variable, by reference: `$contact.email`, `contact.email` or a workflow variable name. */
  async value(reference: string): Promise<unknown> {
    const name = reference.trim().replace(/^\$/, '')
    if (!name) return undefined
    return this.resolve(name.split('.'))
  }
}

/** `$contact.<key>`: standard fields by their variable names, then custom field keys. */
export function contactValue(c: ContactRow, key: string): unknown {
  if (isStandardContactKey(key)) return STANDARD_VALUES[key](c)
  return Object.hasOwn(c.custom, key) ? c.custom[key] : undefined
}

/** $contact.<key> names that read a column, not a custom field. */
const STANDARD_VALUES = {
  name: (c: ContactRow) => `${c.firstName} ${c.lastName}`.trim(),
  firstname: (c: ContactRow) => c.firstName,
  first_name: (c: ContactRow) => c.firstName,
  lastname: (c: ContactRow) => c.lastName,
  last_name: (c: ContactRow) => c.lastName,
  email: (c: ContactRow) => c.email,
  phone: (c: ContactRow) => c.phone,
  country: (c: ContactRow) => c.country,
  language: (c: ContactRow) => c.language,
  id: (c: ContactRow) => c.id,
}

export const isStandardContactKey = (key: string): key is keyof typeof STANDARD_VALUES =>
  Object.hasOwn(STANDARD_VALUES, key)
