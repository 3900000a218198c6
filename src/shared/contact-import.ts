/** Rule 57: how a CSV import treats rows that match an existing contact. */
export const IMPORT_MODES = ['add_and_update', 'add_only', 'update_only', 'add_all'] as const
export type ImportMode = (typeof IMPORT_MODES)[number]

/** The standard contact fields a CSV column can be mapped to (custom fields go by their key). */
export const STANDARD_TARGETS = [
  'firstName',
  'lastName',
  'phone',
  'email',
  'country',
  'language',
  'lifecycle',
  'tags',
] as const
export type StandardTarget = (typeof STANDARD_TARGETS)[number]
