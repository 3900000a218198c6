import { useId } from 'react'
import { useTranslation } from 'react-i18next'
import type { References } from './api'
import type { JsonSchema } from './jsonSchema'

/** What every field of a generated form may need besides its schema and value. */
export type FormContext = {
  refs: References
  /** Steps a Jump To may target (id and label). */
  steps: { id: string; label: string }[]
  variables: string[]
  /** Problems from the server by path ("config.message.text"). */
  problems: Map<string, string[]>
}

export type FieldProps = {
  schema: JsonSchema
  value: unknown
  onChange: (v: unknown) => void
  /** Dotted path, as the server's problems name it. */
  path: string
  name: string
  ctx: FormContext
  /** Draw an object's fields without a frame (the root, a union's variant). */
  bare?: boolean
}

/** Labels of fields and of enum values; a key without a translation shows as it is (technical values). */
export type Labels = ReturnType<typeof useLabels>

export function useLabels() {
  const { t } = useTranslation()
  return {
    field: (key: string) => t(`workflows.fields.${key}`, { defaultValue: key }),
    value: (v: unknown) => t(`workflows.values.${String(v)}`, { defaultValue: String(v) }),
    t,
  }
}

export function Problems({ ctx, path }: { ctx: FormContext; path: string }) {
  const list = ctx.problems.get(path)
  if (!list?.length) return null
  return (
    // The server's messages are English: isolated so their punctuation stays put in Arabic.
    <p className="field-error" role="alert" dir="auto">
      {list.join(' ')}
    </p>
  )
}

export function Labelled({
  label,
  ctx,
  path,
  children,
}: {
  label: string
  ctx: FormContext
  path: string
  children: (id: string) => React.ReactNode
}) {
  const id = useId()
  const invalid = (ctx.problems.get(path)?.length ?? 0) > 0
  return (
    <div className={`field${invalid ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children(id)}
      <Problems ctx={ctx} path={path} />
    </div>
  )
}
