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
