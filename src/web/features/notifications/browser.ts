/**
 * System notifications through the Notification API. Permission is asked only when the user
 * presses a button (never on load): browsers penalise sites that prompt unasked.
 */
export type BrowserPermission = NotificationPermission | 'unsupported'

export function browserPermission(): BrowserPermission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission
}

export async function askBrowserPermission(): Promise<BrowserPermission> {
  if (typeof Notification === 'undefined') return 'unsupported'
  return Notification.requestPermission()
}

/** Shows a system notification; clicking it focuses the tab and opens `href`. */
export function showBrowserNotification(
  title: string,
  body: string,
  tag: string,
  onOpen: () => void,
): Notification | null {
  if (browserPermission() !== 'granted') return null
  const n = new Notification(title, {
    body,
    tag,
    icon: '/icons/icon-192.png',
    lang: document.documentElement.lang,
  })
  n.onclick = () => {
    window.focus()
    onOpen()
    n.close()
  }
  return n
}
