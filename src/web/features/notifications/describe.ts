import type { TFunction } from 'i18next'
import type { AppNotification } from './api'

/** The sentence for a notification: who did what, in the UI language. */
export function describeNotification(
  t: TFunction,
  n: Pick<AppNotification, 'kind' | 'actor'>,
  names: Map<number, string>,
): string {
  const name =
    n.actor.kind === 'user' && n.actor.id !== null
      ? names.get(n.actor.id)
      : n.actor.kind === 'workflow'
        ? t('notifications.automation')
        : undefined
  if (n.kind === 'mention') return name ? t('notifications.mentionBy', { name }) : t('notifications.mention')
  return name ? t('notifications.assignmentBy', { name }) : t('notifications.assignment')
}

/** Comments store mentions as {{@user.ID}} (rule 50); people read them as @Name. */
export function readableMentions(text: string, names: Map<number, string>): string {
  return text.replace(/\{\{@user\.(\d+)\}\}/g, (token, id: string) => {
    const name = names.get(Number(id))
    return name ? `@${name}` : token
  })
}
