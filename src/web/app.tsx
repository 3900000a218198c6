import { lazy, Suspense, useState } from 'react'
import { createBrowserRouter, Navigate } from 'react-router'
import { AcceptInvitePage } from './features/auth/AcceptInvitePage'
import { LoginPage } from './features/auth/LoginPage'
import { SetupPage } from './features/auth/SetupPage'
import { ContactDetailPage } from './features/contacts/ContactDetailPage'
import { ContactsPage } from './features/contacts/ContactsPage'
import { DuplicatesPage } from './features/contacts/DuplicatesPage'
import { ImportWizard } from './features/contacts/ImportWizard'
import { MergePage } from './features/contacts/MergePage'
import { ProfilePage } from './features/profile/ProfilePage'
import { SandboxPage } from './features/sandbox/SandboxPage'
import { ApiTokensSettings } from './features/settings/ApiTokensSettings'
import { BusinessHoursSettings } from './features/settings/BusinessHoursSettings'
import { ChannelsSettings } from './features/settings/ChannelsSettings'
import { ContactFieldsSettings } from './features/settings/ContactFieldsSettings'
import { ConversationsSettings } from './features/settings/ConversationsSettings'
import { FilesSettings } from './features/settings/FilesSettings'
import { GeneralSettings } from './features/settings/GeneralSettings'
import { LifecycleSettings } from './features/settings/LifecycleSettings'
import { SettingsLayout } from './features/settings/SettingsLayout'
import { SnippetsSettings } from './features/settings/SnippetsSettings'
import { TagsSettings } from './features/settings/TagsSettings'
import { TeamsSettings } from './features/settings/TeamsSettings'
import { UsersSettings } from './features/settings/UsersSettings'
import { WebhooksSettings } from './features/settings/WebhooksSettings'
import { RootRedirect, WorkspaceHome } from './features/shell/HomeRedirect'
import { Shell } from './features/shell/Shell'
import { Loading } from './ui/Page'

// Route-level code splitting: the inbox (the heaviest module) and the workflow builder load only
// when opened.
type InboxModule = typeof import('./features/inbox/InboxPage')
let inboxModule: InboxModule | undefined
const loadInbox = () =>
  import('./features/inbox/InboxPage').then((m) => {
    inboxModule = m
    return m
  })
// A tab opened on the inbox fetches its chunk alongside the session and workspace requests
// instead of after them (the Shell renders the route only once both have answered).
if (/^\/w\/\d+\/inbox(\/|$)/.test(window.location.pathname)) void loadInbox()
const LazyInboxPage = lazy(() => loadInbox().then((m) => ({ default: m.InboxPage })))
/**
 * The inbox, rendered directly once its chunk is here: lazy() suspends at least once even for a
 * loaded module, and React then keeps the fallback up for its reveal throttle (300 ms) — time
 * added to every first load. Chosen once per mount, so the subtree never changes type.
 */
function InboxRoute() {
  const [loaded] = useState(() => inboxModule)
  if (loaded) return <loaded.InboxPage />
  return (
    <Suspense fallback={<Loading />}>
      <LazyInboxPage />
    </Suspense>
  )
}
const inbox = <InboxRoute />
const WorkflowsPage = lazy(() =>
  import('./features/workflows/WorkflowsPage').then((m) => ({ default: m.WorkflowsPage })),
)
const WorkflowEditorPage = lazy(() =>
  import('./features/workflows/WorkflowEditor').then((m) => ({ default: m.WorkflowEditorPage })),
)

export const router = createBrowserRouter([
  { path: '/', element: <RootRedirect /> },
  { path: '/setup', element: <SetupPage /> },
  { path: '/login', element: <LoginPage /> },
  { path: '/invite', element: <AcceptInvitePage /> },
  {
    path: '/w/:workspaceId',
    element: <Shell />,
    children: [
      { index: true, element: <WorkspaceHome /> },
      { path: 'inbox', element: inbox },
      { path: 'inbox/:contactId', element: inbox },
      { path: 'profile', element: <ProfilePage /> },
      { path: 'contacts', element: <ContactsPage /> },
      { path: 'contacts/import', element: <ImportWizard /> },
      { path: 'contacts/merge', element: <MergePage /> },
      { path: 'contacts/duplicates', element: <DuplicatesPage /> },
      { path: 'contacts/:contactId', element: <ContactDetailPage /> },
      { path: 'sandbox', element: <SandboxPage /> },
      {
        path: 'workflows',
        element: (
          <Suspense fallback={<Loading />}>
            <WorkflowsPage />
          </Suspense>
        ),
      },
      {
        path: 'workflows/:workflowId',
        element: (
          <Suspense fallback={<Loading />}>
            <WorkflowEditorPage />
          </Suspense>
        ),
      },
      {
        path: 'settings',
        element: <SettingsLayout />,
        children: [
          { index: true, element: <Navigate to="general" replace /> },
          { path: 'general', element: <GeneralSettings /> },
          { path: 'users', element: <UsersSettings /> },
          { path: 'teams', element: <TeamsSettings /> },
          { path: 'channels', element: <ChannelsSettings /> },
          { path: 'contact-fields', element: <ContactFieldsSettings /> },
          { path: 'tags', element: <TagsSettings /> },
          { path: 'lifecycle', element: <LifecycleSettings /> },
          { path: 'conversations', element: <ConversationsSettings /> },
          { path: 'business-hours', element: <BusinessHoursSettings /> },
          { path: 'snippets', element: <SnippetsSettings /> },
          { path: 'files', element: <FilesSettings /> },
          { path: 'api-tokens', element: <ApiTokensSettings /> },
          { path: 'webhooks', element: <WebhooksSettings /> },
        ],
      },
    ],
  },
  { path: '*', element: <Navigate to="/" replace /> },
])
