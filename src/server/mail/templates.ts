import type { Role } from '../../shared/permissions'
import type { MailMessage } from './mailer'

const ROLE_AR: Record<Role, string> = { owner: 'مالك', manager: 'مدير', agent: 'موظف' }
const ROLE_EN: Record<Role, string> = { owner: 'Owner', manager: 'Manager', agent: 'Agent' }

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** Invitation email in the workspace's language, with the other language below it. */
export function invitationEmail(m: {
  to: string
  url: string
  workspaceName: string
  inviterName: string
  role: Role
  language: 'en' | 'ar'
  expiresAt: Date
}): MailMessage {
  const day = m.expiresAt.toISOString().slice(0, 10)
  const en = {
    subject: `You're invited to ${m.workspaceName} on Tawasul`,
    text: `${m.inviterName || 'A teammate'} invited you to join ${m.workspaceName} on Tawasul as ${ROLE_EN[m.role]}.\nAccept the invitation: ${m.url}\nThe link expires on ${day}.`,
  }
  const ar = {
    subject: `دعوة للانضمام إلى ${m.workspaceName} على تواصل`,
    text: `دعاك ${m.inviterName || 'أحد الزملاء'} للانضمام إلى ${m.workspaceName} على تواصل بصفة ${ROLE_AR[m.role]}.\nاقبل الدعوة: ${m.url}\nتنتهي صلاحية الرابط في ${day}.`,
  }
  const [first, second] = m.language === 'ar' ? [ar, en] : [en, ar]
  const block = (t: { text: string }, dir: 'rtl' | 'ltr') =>
    `<div dir="${dir}" style="font-family:sans-serif">${escapeHtml(t.text)
      .split('\n')
      .join('<br>')
      .replace(escapeHtml(m.url), `<a href="${escapeHtml(m.url)}">${escapeHtml(m.url)}</a>`)}</div>`
  return {
    to: m.to,
    subject: first.subject,
    text: `${first.text}\n\n---\n\n${second.text}\n`,
    html: `${block(first, m.language === 'ar' ? 'rtl' : 'ltr')}<hr>${block(second, m.language === 'ar' ? 'ltr' : 'rtl')}`,
  }
}
