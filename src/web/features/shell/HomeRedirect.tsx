import { Navigate, useOutletContext } from 'react-router'
import { useSession } from '../../api/session'
import type { WorkspaceView } from '../../api/types'
import { Loading } from '../../ui/Page'
import { homePath } from './Shell'

/** "/" goes to the first workspace; "/w/:id" to the first module the member may open. */
export function RootRedirect() {
  const session = useSession()
  if (session.isLoading) return <Loading />
  if (!session.data) return <Navigate to="/login" replace />
  const first = session.data.workspaces[0]
  if (!first) return <Navigate to="/login" replace />
  return <Navigate to={`/w/${first.id}`} replace />
}

export function WorkspaceHome() {
  const view = useOutletContext<WorkspaceView>()
  return <Navigate to={homePath(view)} replace />
}
