/**
 * The tab title is "(unread) page · Tawasul": pages set their part, the notification bell sets the
 * count, and neither overwrites the other.
 */
let page: string | null = null
let app = 'Tawasul'
let unread = ''

function apply(): void {
  const base = page ? `${page} · ${app}` : app
  document.title = unread ? `(${unread}) ${base}` : base
}

/** A page's own part of the title (null: just the app name). */
export function setPageTitle(title: string | null, appName: string): void {
  page = title
  app = appName
  apply()
}

/** The unread notification count, already formatted in the user's locale ('' when none). */
export function setUnreadInTitle(count: string, appName: string): void {
  unread = count
  app = appName
  apply()
}
