/** WhatsApp template components (as synced from the provider) → the variables to fill and the send payload. */
type Component = {
  type?: string
  format?: string
  text?: string
  buttons?: { type?: string; text?: string; url?: string }[]
}

export type Slot = { part: 'header' | 'body' | 'button'; index: number; n: number; example?: string }

const count = (text: string | undefined) => {
  const ns = [...(text ?? '').matchAll(/\{\{(\d+)\}\}/g)].map((m) => Number(m[1]))
  return ns.length ? Math.max(...ns) : 0
}

export function templateSlots(components: unknown[]): Slot[] {
  const out: Slot[] = []
  for (const c of components as Component[]) {
    const type = c.type?.toUpperCase()
    if (type === 'HEADER' && (c.format ?? 'TEXT').toUpperCase() === 'TEXT')
      for (let n = 1; n <= count(c.text); n++) out.push({ part: 'header', index: 0, n })
    if (type === 'BODY') for (let n = 1; n <= count(c.text); n++) out.push({ part: 'body', index: 0, n })
    if (type === 'BUTTONS')
      (c.buttons ?? []).forEach((b, i) => {
        if (b.type?.toUpperCase() === 'URL' && count(b.url) > 0) out.push({ part: 'button', index: i, n: 1 })
      })
  }
  return out
}

export const slotId = (s: Slot) => `${s.part}.${s.index}.${s.n}`

/** The `template` object of POST /messages (src/server/messages/messages.schema.ts). */
export function templatePayload(
  t: { name: string; language: string; components: unknown[] },
  values: Record<string, string>,
) {
  const slots = templateSlots(t.components)
  const of = (part: Slot['part']) => slots.filter((s) => s.part === part).map((s) => values[slotId(s)] ?? '')
  const header = of('header')
  const body = of('body')
  const buttons = slots
    .filter((s) => s.part === 'button')
    .map((s) => ({ index: s.index, value: values[slotId(s)] ?? '' }))
  return {
    name: t.name,
    language: t.language,
    ...(body.length ? { body } : {}),
    ...(header.length ? { header } : {}),
    ...(buttons.length ? { buttons } : {}),
  }
}

/** The text the contact will see, with the values filled in (unfilled ones stay as {{n}}). */
export function templatePreview(components: unknown[], values: Record<string, string>) {
  const fill = (text: string | undefined, part: Slot['part']) =>
    (text ?? '').replace(/\{\{(\d+)\}\}/g, (all, n: string) => values[`${part}.0.${n}`] || all)
  const parts: { kind: 'header' | 'body' | 'footer' | 'button'; text: string; key: string }[] = []
  const push = (kind: (typeof parts)[number]['kind'], text: string) =>
    parts.push({ kind, text, key: `${kind}${parts.length}` })
  for (const c of components as Component[]) {
    const type = c.type?.toUpperCase()
    if (type === 'HEADER' && c.text) push('header', fill(c.text, 'header'))
    if (type === 'BODY') push('body', fill(c.text, 'body'))
    if (type === 'FOOTER' && c.text) push('footer', c.text)
    if (type === 'BUTTONS') for (const b of c.buttons ?? []) if (b.text) push('button', b.text)
  }
  return parts
}
