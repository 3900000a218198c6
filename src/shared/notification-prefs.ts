/** The kinds of in-app notification (src/server/notifications/notify.ts creates them). */
export const NOTIFICATION_KINDS = ['mention', 'assignment'] as const
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number]

/**
 * Where each kind reaches the user: `inApp` (the bell; off means no notification is created)
 * and `browser` (a system notification while the app is open, once the browser allows it).
 * These kinds are not emailed yet, so there is no email switch.
 */
export type ChannelPrefs = { inApp: boolean; browser: boolean }
export type NotificationPrefs = Record<NotificationKind, ChannelPrefs>

export const DEFAULT_NOTIFICATION_PREFS: NotificationPrefs = {
  mention: { inApp: true, browser: true },
  assignment: { inApp: true, browser: true },
}

/** Stored preferences over the defaults, so a kind added later starts switched on. */
export function resolveNotificationPrefs(
  stored: Partial<Record<NotificationKind, Partial<ChannelPrefs>>> | null | undefined,
): NotificationPrefs {
  return {
    mention: { ...DEFAULT_NOTIFICATION_PREFS.mention, ...stored?.mention },
    assignment: { ...DEFAULT_NOTIFICATION_PREFS.assignment, ...stored?.assignment },
  }
}
