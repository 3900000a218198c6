import { createBrowserRouter, Navigate } from 'react-router'
import { AcceptInvitePage } from './features/auth/AcceptInvitePage'
import { LoginPage } from './features/auth/LoginPage'
import { SetupPage } from './features/auth/SetupPage'
import { ProfilePage } from './features/profile/ProfilePage'
import { SandboxPage } from './features/sandbox/SandboxPage'
import { ApiTokensSettings } from './features/settings/ApiTokensSettings'
import { GeneralSettings } from './features/settings/GeneralSettings'
import { SettingsLayout } from './features/settings/SettingsLayout'
import { TeamsSettings } from './features/settings/TeamsSettings'
import { UsersSettings } from './features/settings/UsersSettings'
import { RootRedirect, WorkspaceHome } from './features/shell/HomeRedirect'
import { Shell } from './features/shell/Shell'
import { WorkflowEditorPage } from './features/workflows/WorkflowEditor'
import { WorkflowsPage } from './features/workflows/WorkflowsPage'

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
      { path: 'profile', element: <ProfilePage /> },
      { path: 'sandbox', element: <SandboxPage /> },
      { path: 'workflows', element: <WorkflowsPage /> },
      { path: 'workflows/:workflowId', element: <WorkflowEditorPage /> },
      {
        path: 'settings',
        element: <SettingsLayout />,
        children: [
          { index: true, element: <Navigate to="general" replace /> },
          { path: 'general', element: <GeneralSettings /> },
          { path: 'users', element: <UsersSettings /> },
          { path: 'teams', element: <TeamsSettings /> },
          { path: 'api-tokens', element: <ApiTokensSettings /> },
        ],
      },
    ],
  },
  { path: '*', element: <Navigate to="/" replace /> },
])
