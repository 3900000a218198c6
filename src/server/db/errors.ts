/** PostgreSQL's unique_violation (23505), unwrapped from drizzle's query error when needed. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } }
  return (e.cause?.code ?? e.code) === '23505'
}
