import type { z } from 'zod'
import { ValidationError } from '../errors'

/** Parses a provider payload with zod, or answers 400 with every problem found. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const fields = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
  throw new ValidationError(
    `${what}: ${fields.map((f) => `${f.path || '(root)'}: ${f.message}`).join('; ')}`,
    fields,
  )
}

/** The media kind of a MIME type, as our message types name it. */
export function mediaTypeOf(mime: string | undefined): 'image' | 'video' | 'audio' | 'file' {
  const m = (mime ?? '').toLowerCase()
  if (m.startsWith('image/')) return 'image'
  if (m.startsWith('video/')) return 'video'
  if (m.startsWith('audio/')) return 'audio'
  return 'file'
}
