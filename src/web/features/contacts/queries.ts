import { useQuery } from '@tanstack/react-query'
import { useOutletContext } from 'react-router'
import { get } from '../../api/client'
import type { Channel, ContactField, LifecycleStage, Tag, WorkspaceView } from '../../api/types'

/** The workspace view the shell hands to every page. */
export function useView(): WorkspaceView {
  return useOutletContext<WorkspaceView>()
}

export const qk = {
  contacts: (ws: number) => ['contacts', ws] as const,
  contact: (ws: number, id: number) => ['contact', ws, id] as const,
  fields: (ws: number) => ['contact-fields', ws] as const,
  tags: (ws: number) => ['tags', ws] as const,
  stages: (ws: number) => ['lifecycle-stages', ws] as const,
  channels: (ws: number) => ['channels', ws] as const,
}

export function useFields(ws: number) {
  return useQuery({
    queryKey: qk.fields(ws),
    queryFn: () => get<ContactField[]>(`/api/v1/workspaces/${ws}/contact-fields`),
  })
}

export function useTags(ws: number) {
  return useQuery({ queryKey: qk.tags(ws), queryFn: () => get<Tag[]>(`/api/v1/workspaces/${ws}/tags`) })
}

export function useStages(ws: number) {
  return useQuery({
    queryKey: qk.stages(ws),
    queryFn: () => get<LifecycleStage[]>(`/api/v1/workspaces/${ws}/lifecycle-stages`),
  })
}

export type AssignableUser = { userId: number; name: string }

export function useAssignableUsers(ws: number) {
  return useQuery({
    queryKey: ['assignable-users', ws],
    queryFn: () => get<AssignableUser[]>(`/api/v1/workspaces/${ws}/assignable-users`),
    staleTime: 60_000,
  })
}

export function useChannels(ws: number) {
  return useQuery({
    queryKey: qk.channels(ws),
    queryFn: () => get<Channel[]>(`/api/v1/workspaces/${ws}/channels`),
  })
}

/** Dates and times in the user's language (i18next's current language). */
export function formatDateTime(iso: string | null, lang: string): string {
  if (!iso) return ''
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
}

export function formatNumber(n: number, lang: string): string {
  return new Intl.NumberFormat(lang).format(n)
}
