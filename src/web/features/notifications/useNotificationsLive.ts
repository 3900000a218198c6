import { useQueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'
import { useTranslation } from 'react-i18next'
import { useNavigate } from 'react-router'
import type { User } from '../../api/types'
import { type RealtimeFrame, useRealtimeFrames } from '../shell/realtime'
import { notificationsKey, useNotifications } from './api'
import { showBrowserNotification } from './browser'
import { describeNotification } from './describe'

type FrameNotification = {
  id: number
  kind: 'mention' | 'assignment'
  contactId: number | null
  contact: { id: number; displayName: string } | null
  actor: { kind: string; id: number | null }
}

/**
 * Keeps the notification centre live: a `notification.created` frame refetches the list, and,
 * when the user allows it for that kind and the tab is in the background, shows a system
 * notification. The unread count goes into the tab title: "(3) Tawasul".
 */
export function useNotificationsLive(workspaceId: number, user: User, names: Map<number, string>) {
  const { t, i18n } = useTranslation()
  const qc = useQueryClient()
  const navigate = useNavigate()
  const list = useNotifications(workspaceId)
  const unread = list.data?.unreadCount ?? 0

  useRealtimeFrames((frame: RealtimeFrame) => {
    if (frame.type === 'resync' || frame.type === 'subscribed') {
      void qc.invalidateQueries({ queryKey: notificationsKey(workspaceId) })
      return
    }
    if (frame.type !== 'notification.created') return
    void qc.invalidateQueries({ queryKey: notificationsKey(workspaceId) })
    const n = frame.notification as FrameNotification | null
    if (!n || !user.notificationPrefs[n.kind].browser || document.visibilityState === 'visible') return
    showBrowserNotification(
      describeNotification(t, n, names),
      n.contact?.displayName ?? t('app.name'),
      `notification-${n.id}`,
      () => {
        if (n.contactId) navigate(`/w/${workspaceId}/inbox/${n.contactId}`)
      },
    )
  })

  useEffect(() => {
    const name = t('app.name')
    document.title = unread > 0 ? `(${new Intl.NumberFormat(i18n.language).format(unread)}) ${name}` : name
    return () => {
      document.title = name
    }
  }, [unread, t, i18n.language])
  return unread
}
