import { type FieldProps, Labelled, type Labels, Problems } from './FormParts'
import { unwrapNullable } from './jsonSchema'

/** Keys whose integers point at workspace things: drawn as pickers instead of number inputs. */
type IdRef = 'users' | 'teams' | 'channels' | 'workflows' | 'stages' | 'categories' | 'credentials' | 'tags'
const ID_REFS: Record<string, IdRef> = {
  userId: 'users',
  teamId: 'teams',
  channelId: 'channels',
  workflowId: 'workflows',
  stageId: 'stages',
  categoryId: 'categories',
  credentialId: 'credentials',
  tagId: 'tags',
}
/** Lists of ids drawn as checkboxes of names. */
const ID_LISTS: Record<string, IdRef> = {
  tagIds: 'tags',
  add: 'tags',
  remove: 'tags',
  fromStageIds: 'stages',
  toStageIds: 'stages',
  categoryIds: 'categories',
}

/**
 * Fields that point at workspace things (users, teams, tags, stages, steps…): drawn as pickers of
 * names instead of raw ids. Null when the field is not such a reference, or when the list could not
 * be loaded (the form then falls back to the plain input). A plain function (no hooks), so the
 * form may call it under its own conditions.
 */
export function referenceField(props: FieldProps, L: Labels) {
  const { schema, value, onChange, path, name, ctx } = props
  const { schema: s, nullable } = unwrapNullable(schema)
  const ref = ID_REFS[name]
  if (ref && (s.type === 'integer' || s.type === 'number') && ctx.refs[ref].length > 0) {
    const options = ctx.refs[ref] as { id: number; name: string }[]
    return (
      <Labelled label={L.field(name)} ctx={ctx} path={path}>
        {(id) => (
          <select
            id={id}
            value={value === null || value === undefined ? '' : String(value)}
            onChange={(e) =>
              onChange(e.target.value === '' ? (nullable ? null : undefined) : Number(e.target.value))
            }
          >
            <option value="">
              {name === 'channelId' && nullable
                ? L.t('workflows.editor.lastChannel')
                : L.t('workflows.editor.choose')}
            </option>
            {options.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        )}
      </Labelled>
    )
  }
  if (name === 'targetStepId') {
    return (
      <Labelled label={L.field(name)} ctx={ctx} path={path}>
        {(id) => (
          <select
            id={id}
            value={typeof value === 'string' ? value : ''}
            onChange={(e) => onChange(e.target.value)}
          >
            <option value="">{L.t('workflows.editor.choose')}</option>
            {ctx.steps.map((o) => (
              <option key={o.id} value={o.id}>
                {o.label}
              </option>
            ))}
          </select>
        )}
      </Labelled>
    )
  }
  const list = ID_LISTS[name]
  if (list && s.type === 'array' && ctx.refs[list].length > 0) {
    const chosen = new Set(Array.isArray(value) ? (value as number[]) : [])
    return (
      <fieldset className="schema-group">
        <legend>{L.field(name)}</legend>
        <div className="chips">
          {ctx.refs[list].map((tag) => (
            <label key={tag.id} className="chip-check">
              <input
                type="checkbox"
                checked={chosen.has(tag.id)}
                onChange={(e) => {
                  const next = new Set(chosen)
                  if (e.target.checked) next.add(tag.id)
                  else next.delete(tag.id)
                  onChange([...next])
                }}
              />
              <span dir="auto">{tag.name}</span>
            </label>
          ))}
        </div>
        <Problems ctx={ctx} path={path} />
      </fieldset>
    )
  }

  return null
}
