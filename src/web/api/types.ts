// Response types come from the server's zod schemas (type-only imports, erased at build time).
import type { z } from 'zod'
import type { sandboxViewOut } from '../../server/sandbox/sandbox.routes'
import type { invitationOut, memberOut, userOut } from '../../server/users/users.presenter'
import type { Capability, Restrictions, Role } from '../../shared/permissions'

export type User = z.infer<typeof userOut>
export type Member = z.infer<typeof memberOut>
export type Invitation = z.infer<typeof invitationOut>
export type SandboxView = z.infer<typeof sandboxViewOut>
export type { Capability, Restrictions, Role }

export type Session = {
  user: User
  workspaces: { id: number; name: string; role: Role }[]
  csrfToken: string
}

export type WorkspaceView = {
  workspace: {
    id: number
    organizationId: number
    name: string
    timezone: string
    language: 'en' | 'ar'
    /** Rule 36: whether closing a conversation asks for a closing note. */
    closingNotesMode: 'optional' | 'category_required' | 'category_and_summary_required' | 'disabled'
    autoCloseMinutes: number | null
    createdAt: string
  }
  membership: { role: Role; restrictions: Restrictions; teamId: number | null }
  capabilities: Record<Capability, boolean>
}

export type Team = {
  id: number
  name: string
  description: string
  createdAt: string
  members: { userId: number; name: string; email: string }[]
}

export type ApiToken = {
  id: number
  name: string
  tokenPrefix: string
  createdAt: string
  lastUsedAt: string | null
  revokedAt: string | null
  createdByName: string | null
}

export type InviteResult = { invitation: Invitation; inviteUrl: string | null; emailed: boolean }
