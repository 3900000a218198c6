import { useQuery, useQueryClient } from '@tanstack/react-query'
import type { z } from 'zod'
import type { notificationOut } from '../../../server/notifications/notifications.routes'
import { get, post } from '../../api/client'
import { useRealtimeStatus } from '../shell/realtime'

export type AppNotification = z.infer<typeof notificationOut>
type Page = { notifications: AppNotification[]; unreadCount: number; nextBefore: number | null }

export const notificationsKey = (workspaceId: number) => ['notifications', workspaceId] as const

/** The newest notifications and the unread count; realtime frames invalidate it (NotificationsLive). */
export function useNotifications(workspaceId: number) {
  const live = useRealtimeStatus() === 'live'
  return useQuery({
    queryKey: notificationsKey(workspaceId),
    queryFn: () => get<Page>(`/api/v1/workspaces/${workspaceId}/notifications?limit=30`),
    staleTime: 60_000,
    // Without the socket, nothing tells us about new notifications: ask every 30 s instead.
    refetchInterval: live ? false : 30_000,
  })
}

export function useMarkRead(workspaceId: number) {
  const qc = useQueryClient()
  return async (body: { ids: number[] } | { all: true }) => {
    // Optimistic: the badge and the title drop at once; the refetch settles the truth.
    qc.setQueryData<Page>(notificationsKey(workspaceId), (page) => {
      if (!page) return page
      const ids = 'ids' in body ? new Set(body.ids) : null
      let cleared = 0
      const notifications = page.notifications.map((n) => {
        if (n.read || (ids && !ids.has(n.id))) return n
        cleared++
        return { ...n, read: true, readAt: new Date().toISOString() }
      })
      return { ...page, notifications, unreadCount: Math.max(0, page.unreadCount - cleared) }
    })
    try {
      await post(`/api/v1/workspaces/${workspaceId}/notifications/read`, body)
    } finally {
      await qc.invalidateQueries({ queryKey: notificationsKey(workspaceId) })
    }
  }
}

/** Where a notification leads: the contact's conversation in the inbox (coordinated by URL only). */
export function notificationHref(workspaceId: number, n: AppNotification): string | null {
  return n.contact ? `/w/${workspaceId}/inbox/${n.contact.id}` : null
}
