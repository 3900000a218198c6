import type { Capability } from '../../api/types'

export type NavItem = {
  key: 'inbox' | 'contacts' | 'workflows' | 'broadcasts' | 'reports' | 'settings'
  capability: Capability
  /** False while the module has not shipped: shown (per role) but not a link. */
  available: boolean
  /** A member may land here after signing in (workflows are a tool, not a home). */
  landing?: false
  icon: string
}

/** The main navigation; each item is shown only to members whose capabilities allow it (rule 104). */
export const NAV: NavItem[] = [
  { key: 'inbox', capability: 'inbox.view', available: true, icon: 'M4 4h16v12H8l-4 4z' },
  {
    key: 'contacts',
    capability: 'contacts.view',
    available: true,
    icon: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-7 8a7 7 0 0 1 14 0',
  },
  {
    key: 'workflows',
    capability: 'workflows.manage',
    available: true,
    landing: false,
    icon: 'M6 3v6m0 0a3 3 0 1 0 0 6 3 3 0 0 0 0-6zm12 0a3 3 0 1 0 0 6 3 3 0 0 0 0-6zM9 12h6',
  },
  {
    key: 'broadcasts',
    capability: 'broadcasts.manage',
    available: false,
    icon: 'M3 10v4h4l6 5V5L7 10zm13-2a5 5 0 0 1 0 8',
  },
  { key: 'reports', capability: 'reports.view', available: false, icon: 'M4 20V10m6 10V4m6 16v-7m4 7H2' },
  {
    key: 'settings',
    capability: 'settings.access',
    available: true,
    icon: 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM4 12h2m12 0h2M12 4v2m0 12v2',
  },
]

export const SETTINGS_NAV: {
  key:
    | 'general'
    | 'users'
    | 'teams'
    | 'channels'
    | 'contactFields'
    | 'tags'
    | 'lifecycle'
    | 'conversations'
    | 'businessHours'
    | 'snippets'
    | 'files'
    | 'apiTokens'
    | 'webhooks'
    | 'sandbox'
  path: string
  capability: Capability
}[] = [
  { key: 'general', path: 'general', capability: 'settings.general' },
  { key: 'users', path: 'users', capability: 'settings.users' },
  { key: 'teams', path: 'teams', capability: 'settings.teams' },
  { key: 'channels', path: 'channels', capability: 'settings.channels' },
  // Rule 104 row 12: contact fields; tags and lifecycle stages are managed with the same access.
  { key: 'contactFields', path: 'contact-fields', capability: 'settings.contactFields' },
  { key: 'tags', path: 'tags', capability: 'settings.contactFields' },
  { key: 'lifecycle', path: 'lifecycle', capability: 'settings.contactFields' },
  // Rule 105: Closing Notes / Conversations (categories, mode, auto-close) and snippets.
  { key: 'conversations', path: 'conversations', capability: 'settings.general' },
  { key: 'businessHours', path: 'business-hours', capability: 'settings.general' },
  { key: 'snippets', path: 'snippets', capability: 'settings.general' },
  // Rule 104 row 15: the Files library.
  { key: 'files', path: 'files', capability: 'settings.files' },
  { key: 'apiTokens', path: 'api-tokens', capability: 'settings.integrations' },
  { key: 'webhooks', path: 'webhooks', capability: 'settings.integrations' },
  // Issue 4 item 9: outside Settings (/w/:ws/sandbox), reachable from it.
  { key: 'sandbox', path: '../sandbox', capability: 'settings.channels' },
]
