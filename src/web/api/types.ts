// Response types come from the server's zod schemas (type-only imports, erased at build time).
import type { z } from 'zod'
import type { businessHoursOut } from '../../server/business-hours/business-hours.routes'
import type { channelOut, channelTypeOut } from '../../server/channels/channels.routes'
import type { categoryOut } from '../../server/closing-notes/categories.routes'
import type {
  contactDetailOut,
  contactListItemOut,
  contactOut,
} from '../../server/contacts/contacts.presenter'
import type { fieldOut } from '../../server/contacts/fields.presenter'
import type { importOut } from '../../server/contacts/import.routes'
import type { stageOut } from '../../server/contacts/lifecycle.routes'
import type { tagOut } from '../../server/contacts/tags.routes'
import type { timelineEventOut } from '../../server/contacts/timeline.routes'
import type { sandboxViewOut } from '../../server/sandbox/sandbox.routes'
import type { snippetOut } from '../../server/snippets/snippets.routes'
import type { invitationOut, memberOut, userOut } from '../../server/users/users.presenter'
import type { deliveryDetailOut, deliveryOut, webhookOut } from '../../server/webhooks/webhooks.presenter'
import type { workspaceOut } from '../../server/workspaces/workspaces.routes'
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
  workspace: z.infer<typeof workspaceOut>
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

// Contacts and workspace settings (issue 6).
export type Contact = z.infer<typeof contactOut>
export type ContactListItem = z.infer<typeof contactListItemOut>
export type ContactDetail = z.infer<typeof contactDetailOut>
export type ContactField = z.infer<typeof fieldOut>
export type FieldType = ContactField['type']
export type Tag = z.infer<typeof tagOut>
export type LifecycleStage = z.infer<typeof stageOut>
export type TimelineEvent = z.infer<typeof timelineEventOut>
export type ContactImport = z.infer<typeof importOut>
export type ClosingCategory = z.infer<typeof categoryOut>
export type BusinessHoursView = z.infer<typeof businessHoursOut>
export type Snippet = z.infer<typeof snippetOut>
export type Channel = z.infer<typeof channelOut>
export type ChannelType = z.infer<typeof channelTypeOut>
export type Webhook = z.infer<typeof webhookOut>
export type WebhookDelivery = z.infer<typeof deliveryOut>
export type WebhookDeliveryDetail = z.infer<typeof deliveryDetailOut>
export type WorkspaceSettings = z.infer<typeof workspaceOut>
export type ImportReview = {
  rows: number
  create: number
  update: number
  skip: number
  fail: number
  errors: { row: number; reason: string }[]
  newTags: string[]
}
