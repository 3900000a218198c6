import { useQuery, useQueryClient } from '@tanstack/react-query'
import { ApiError, get } from './client'
import type { Session, WorkspaceView } from './types'

export const sessionKey = ['session'] as const

/** The signed-in user, or null when signed out. */
export function useSession() {
  return useQuery({
    queryKey: sessionKey,
    queryFn: async () => {
      try {
        return await get<Session>('/api/v1/auth/session')
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null
        throw err
      }
    },
    staleTime: 60_000,
  })
}

export function useWorkspace(workspaceId: number) {
  return useQuery({
    queryKey: ['workspace', workspaceId],
    queryFn: () => get<WorkspaceView>(`/api/v1/workspaces/${workspaceId}`),
    staleTime: 30_000,
  })
}

export function useSetupStatus() {
  return useQuery({ queryKey: ['setup'], queryFn: () => get<{ needsSetup: boolean }>('/api/v1/setup') })
}

export function useRefreshSession() {
  const qc = useQueryClient()
  return () => qc.invalidateQueries({ queryKey: sessionKey })
}
