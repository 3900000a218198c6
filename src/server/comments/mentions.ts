/**
 * Rule 50: mentions are written `{{@user.ID}}` (the API's style) or `@[email]` (the derived
 * spec's). Returns what the text names; the caller resolves it to members.
 */
export function parseMentions(body: string): { userIds: number[]; emails: string[] } {
  const userIds = new Set<number>()
  const emails = new Set<string>()
  for (const m of body.matchAll(/\{\{@user\.(\d{1,15})\}\}/g)) userIds.add(Number(m[1]))
  for (const m of body.matchAll(/@\[([^\]\s]{3,254})\]/g)) emails.add(m[1]!.toLowerCase())
  return { userIds: [...userIds], emails: [...emails] }
}
