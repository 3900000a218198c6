import { useRef } from 'react'
import { Button } from '../../ui/Button'
import { type FieldProps, type FormContext, Labelled, Problems, useLabels } from './FormParts'
import {
  acceptsVariables,
  cloneItem,
  defaultValue,
  discriminator,
  inputTypeFor,
  insertAt,
  isInternalId,
  isLongText,
  isOptionalObject,
  isRelevant,
  type JsonSchema,
  unwrapNullable,
  variantIndex,
  variantValues,
} from './jsonSchema'
import { referenceField } from './ReferenceField'

export type { FormContext }

/** Keys that name a contact field (standard or custom): free text with suggestions. */
const FIELD_KEYS = new Set(['field'])

/** A form generated from a JSON Schema (the step's or the trigger's, from GET /workflow-schema). */
export function SchemaForm(props: FieldProps) {
  const { schema, value, onChange, path, name, ctx } = props
  const L = useLabels()
  const { schema: s, nullable } = unwrapNullable(schema)

  if (s.oneOf) return <UnionField {...props} schema={s} />

  const reference = referenceField(props, L)
  if (reference) return reference

  switch (s.type) {
    case 'object':
      return <ObjectField {...props} schema={s} />
    case 'array':
      return <ArrayField {...props} schema={s} />
    case 'boolean':
      return (
        <div className="checkbox">
          <input
            id={`${path}-cb`}
            type="checkbox"
            checked={value === true}
            onChange={(e) => onChange(e.target.checked)}
          />
          <label htmlFor={`${path}-cb`}>{L.field(name)}</label>
          <Problems ctx={ctx} path={path} />
        </div>
      )
    case 'number':
    case 'integer':
      return (
        <Labelled label={L.field(name)} ctx={ctx} path={path}>
          {(id) => (
            <input
              id={id}
              type="number"
              inputMode="numeric"
              step={s.type === 'integer' ? 1 : 'any'}
              min={s.minimum}
              max={s.maximum}
              value={typeof value === 'number' ? value : ''}
              onChange={(e) =>
                onChange(e.target.value === '' ? (nullable ? null : undefined) : Number(e.target.value))
              }
            />
          )}
        </Labelled>
      )
    default:
      if (s.enum) {
        return (
          <Labelled label={L.field(name)} ctx={ctx} path={path}>
            {(id) => (
              <select
                id={id}
                value={value === undefined ? '' : String(value)}
                onChange={(e) => onChange(e.target.value)}
              >
                {value === undefined && <option value="">{L.t('workflows.editor.choose')}</option>}
                {s.enum?.map((v) => (
                  <option key={String(v)} value={String(v)}>
                    {L.value(v)}
                  </option>
                ))}
              </select>
            )}
          </Labelled>
        )
      }
      return <TextInput {...props} schema={s} />
  }
}

function TextInput({ schema, value, onChange, path, name, ctx }: FieldProps) {
  const L = useLabels()
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null)
  const text = typeof value === 'string' ? value : ''
  const long = isLongText(schema)
  const withVars = acceptsVariables(schema, name) && ctx.variables.length > 0
  const insert = (variable: string) => {
    const el = ref.current
    const { value: next, caret } = insertAt(text, el ? el.selectionStart : null, variable)
    onChange(next)
    requestAnimationFrame(() => {
      el?.focus()
      el?.setSelectionRange(caret, caret)
    })
  }
  return (
    <Labelled label={L.field(name)} ctx={ctx} path={path}>
      {(id) => (
        <div className="text-with-vars">
          {long ? (
            <textarea
              ref={ref}
              id={id}
              rows={4}
              dir="auto"
              maxLength={schema.maxLength}
              value={text}
              onChange={(e) => onChange(e.target.value)}
            />
          ) : (
            <input
              ref={ref}
              id={id}
              type={inputTypeFor(schema)}
              dir="auto"
              list={FIELD_KEYS.has(name) && ctx.refs.fields.length ? `${id}-fields` : undefined}
              maxLength={schema.maxLength}
              value={text}
              onChange={(e) => onChange(e.target.value)}
            />
          )}
          {FIELD_KEYS.has(name) && ctx.refs.fields.length > 0 && (
            <datalist id={`${id}-fields`}>
              {ctx.refs.fields.map((f) => (
                <option key={f.key} value={f.key}>
                  {f.name}
                </option>
              ))}
            </datalist>
          )}
          {withVars && (
            <select
              className="var-picker"
              aria-label={L.t('workflows.editor.insertVariableInto', { field: L.field(name) })}
              value=""
              onChange={(e) => e.target.value && insert(e.target.value)}
            >
              <option value="">{L.t('workflows.editor.insertVariable')}</option>
              {ctx.variables.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          )}
        </div>
      )}
    </Labelled>
  )
}

function ObjectField({ schema, value, onChange, path, name, ctx, bare }: FieldProps) {
  const L = useLabels()
  const obj = value && typeof value === 'object' ? (value as Record<string, unknown>) : {}
  const props = schema.properties ?? {}
  const entries = Object.entries(props).filter(
    ([key, sub]) => !isInternalId(key, sub) && isRelevant(key, obj, props),
  )
  const set = (key: string, v: unknown) => {
    const next = { ...obj }
    if (v === undefined) delete next[key]
    else next[key] = v
    onChange(next)
  }
  const body = (
    <>
      {entries.map(([key, sub]) => {
        const field = (
          <SchemaForm
            key={key}
            schema={sub}
            name={key}
            path={path ? `${path}.${key}` : key}
            value={obj[key]}
            ctx={ctx}
            onChange={(v) => set(key, v)}
          />
        )
        if (!isOptionalObject(key, schema, sub)) return field
        // An optional group (a timeout, a date range, a body): added whole or not at all.
        return obj[key] === undefined ? (
          <Button key={key} className="schema-optional" onClick={() => set(key, defaultValue(sub))}>
            {L.t('workflows.editor.addOptional', { field: L.field(key) })}
          </Button>
        ) : (
          <div key={key} className="schema-optional-group">
            {field}
            <Button variant="ghost" className="text-danger" onClick={() => set(key, undefined)}>
              {L.t('workflows.editor.removeOptional', { field: L.field(key) })}
            </Button>
          </div>
        )
      })}
      <Problems ctx={ctx} path={path} />
    </>
  )
  if (bare) return body
  return (
    <fieldset className="schema-group">
      <legend>{L.field(name)}</legend>
      {body}
    </fieldset>
  )
}

function UnionField({ schema, value, onChange, path, name, ctx }: FieldProps) {
  const L = useLabels()
  const variants = schema.oneOf ?? []
  const key = discriminator(variants)
  if (!key) return null
  const index = variantIndex(variants, key, value)
  const variant = variants[index] ?? {}
  const obj = value && typeof value === 'object' ? (value as Record<string, unknown>) : {}
  const tag = obj[key] ?? variantValues(variant, key)[0]
  const all = variants.flatMap((v) => variantValues(v, key))
  const rest: JsonSchema = {
    ...variant,
    properties: Object.fromEntries(Object.entries(variant.properties ?? {}).filter(([k]) => k !== key)),
  }
  return (
    <fieldset className="schema-group">
      <legend>{L.field(name)}</legend>
      <Labelled label={L.field(key)} ctx={ctx} path={`${path}.${key}`}>
        {(id) => (
          <select
            id={id}
            value={String(tag)}
            onChange={(e) => {
              const chosen = all.find((v) => String(v) === e.target.value) ?? e.target.value
              const next = defaultValue({ oneOf: variants }, chosen as string) as Record<string, unknown>
              // Keep what both variants share (e.g. a caption or a value) when switching.
              for (const k of Object.keys(next)) if (k !== key && obj[k] !== undefined) next[k] = obj[k]
              onChange(next)
            }}
          >
            {all.map((v) => (
              <option key={String(v)} value={String(v)}>
                {L.value(v)}
              </option>
            ))}
          </select>
        )}
      </Labelled>
      <ObjectField
        schema={rest}
        value={obj}
        name={name}
        path={path}
        ctx={ctx}
        bare
        onChange={(v) => onChange({ ...(v as object), [key]: tag })}
      />
    </fieldset>
  )
}

function ArrayField({ schema, value, onChange, path, name, ctx }: FieldProps) {
  const L = useLabels()
  const items = Array.isArray(value) ? (value as unknown[]) : []
  const item = schema.items ?? {}
  // A list of choices (e.g. who opened the conversation): checkboxes.
  if (item.enum) {
    const chosen = new Set(items.map(String))
    return (
      <fieldset className="schema-group">
        <legend>{L.field(name)}</legend>
        <div className="chips">
          {item.enum.map((v) => (
            <label key={String(v)} className="chip-check">
              <input
                type="checkbox"
                checked={chosen.has(String(v))}
                onChange={(e) =>
                  onChange(e.target.checked ? [...items, v] : items.filter((x) => String(x) !== String(v)))
                }
              />
              <span>{L.value(v)}</span>
            </label>
          ))}
        </div>
        <Problems ctx={ctx} path={path} />
      </fieldset>
    )
  }
  const max = schema.maxItems ?? Number.POSITIVE_INFINITY
  const min = schema.minItems ?? 0
  return (
    <fieldset className="schema-group schema-list">
      <legend>{L.field(name)}</legend>
      {items.map((v, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: list items have no identity of their own
        <div key={i} className="schema-item">
          <SchemaForm
            schema={item}
            name={name === 'branches' ? 'branch' : `${name}Item`}
            path={`${path}.${i}`}
            value={v}
            ctx={ctx}
            onChange={(nv) => onChange(items.map((x, j) => (j === i ? nv : x)))}
          />
          {unwrapNullable(item).schema.type === 'object' && (
            <Button
              variant="ghost"
              disabled={items.length >= max}
              onClick={() => onChange([...items.slice(0, i + 1), cloneItem(item, v), ...items.slice(i + 1)])}
              aria-label={L.t('workflows.editor.duplicateItem', { field: L.field(name), n: i + 1 })}
            >
              {L.t('workflows.editor.duplicate')}
            </Button>
          )}
          <Button
            variant="ghost"
            className="text-danger"
            disabled={items.length <= min}
            onClick={() => onChange(items.filter((_, j) => j !== i))}
            aria-label={L.t('workflows.editor.removeItem', { field: L.field(name), n: i + 1 })}
          >
            {L.t('workflows.editor.remove')}
          </Button>
        </div>
      ))}
      <Button disabled={items.length >= max} onClick={() => onChange([...items, defaultValue(item)])}>
        {L.t('workflows.editor.addItem', { field: L.field(name) })}
      </Button>
      <Problems ctx={ctx} path={path} />
    </fieldset>
  )
}
