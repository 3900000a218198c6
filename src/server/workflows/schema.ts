import { z } from 'zod'
import { definitionSchema, LIMITS } from '../../shared/workflow/definition'
import { ROOTS } from '../../shared/workflow/variables'
import { OPERATORS } from './compare'
import { STEPS } from './steps'
import { TRIGGERS } from './triggers'

const json = (s: z.ZodType) =>
  z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>

let cached: ReturnType<typeof build> | undefined

function build() {
  return {
    /** The definition as stored (drafts included: step configs are only required to be objects). */
    definition: json(definitionSchema),
    limits: LIMITS,
    triggers: TRIGGERS.map((t) => ({
      type: t.type,
      label: t.label,
      /** Whether "Trigger once per contact" applies (rule 63). */
      oncePerContact: t.oncePerContact,
      conditions: json(t.conditionsSchema),
    })),
    steps: STEPS.map((s) => ({
      kind: s.kind,
      label: s.label,
      /** Calls a service outside Tawasul (test runs only describe the call). */
      external: Boolean(s.external),
      config: json(s.configSchema),
    })),
    variables: {
      roots: ROOTS,
      contact: [
        'name',
        'firstname',
        'lastname',
        'email',
        'phone',
        'country',
        'language',
        'id',
        '<custom field key>',
      ],
      assignee: ['name', 'email', 'id'],
      system: ['current_datetime', 'current_date', 'current_time'],
      syntax:
        '$root.path, with an optional fallback: $contact.firstname|there or $contact.firstname|"dear customer"',
    },
    operators: OPERATORS,
  }
}

/** What the visual builder needs to draw forms and validate as the user types. */
export function workflowSchemas() {
  cached ??= build()
  return cached
}
