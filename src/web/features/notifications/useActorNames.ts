import { useQuery } from '@tanstack/react-query'
import { get } from '../../api/client'

type AssignableUser = { userId: number; name: string }

/** Teammates' names, to say who mentioned or assigned (the list the assignment dropdown uses). */
export function useActorNames(workspaceId: number, enabled: boolean): Map<number, string> {
  const q = useQuery({
    queryKey: ['assignable-users', workspaceId],
    queryFn: () => get<AssignableUser[]>(`/api/v1/workspaces/${workspaceId}/assignable-users`),
    staleTime: 60_000,
    enabled,
  })
  return new Map((q.data ?? []).map((u) => [u.userId, u.name]))
}
