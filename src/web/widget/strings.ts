/** Every word the widget shows, in both languages (a test checks they have the same keys). */
export const STRINGS = {
  en: {
    defaultTitle: 'Chat with us',
    open: 'Open chat',
    close: 'Close chat',
    unread: 'unread messages',
    messages: 'Messages',
    placeholder: 'Type a message…',
    send: 'Send',
    preChatIntro: 'Before we start, please tell us who you are.',
    name: 'Name',
    email: 'Email',
    optional: '(optional)',
    start: 'Start chatting',
    required: 'This field is required.',
    invalidEmail: 'Enter a valid email address.',
    sendFailed: 'Your message was not sent. Try again.',
    reconnecting: 'Reconnecting…',
    attachment: 'Attachment',
    you: 'You',
    team: 'Team',
    away: "We're away right now. We'll reply when we're back — {when}.",
    awayNoTime: "We're away right now. We'll reply as soon as we're back.",
  },
  ar: {
    defaultTitle: 'تحدّث معنا',
    open: 'افتح المحادثة',
    close: 'أغلق المحادثة',
    unread: 'رسائل غير مقروءة',
    messages: 'الرسائل',
    placeholder: 'اكتب رسالة…',
    send: 'إرسال',
    preChatIntro: 'قبل أن نبدأ، عرّفنا بنفسك من فضلك.',
    name: 'الاسم',
    email: 'البريد الإلكتروني',
    optional: '(اختياري)',
    start: 'ابدأ المحادثة',
    required: 'هذا الحقل مطلوب.',
    invalidEmail: 'أدخل بريدًا إلكترونيًا صحيحًا.',
    sendFailed: 'لم تُرسل رسالتك. حاول مرة أخرى.',
    reconnecting: 'جارٍ إعادة الاتصال…',
    attachment: 'مرفق',
    you: 'أنت',
    team: 'الفريق',
    away: 'فريقنا غير متاح الآن. سنردّ عليك عند عودتنا — {when}.',
    awayNoTime: 'فريقنا غير متاح الآن. سنردّ عليك فور عودتنا.',
  },
} as const

export type Lang = keyof typeof STRINGS
export type StringKey = keyof (typeof STRINGS)['en']

/** data-lang on the script tag, else the host page's lang, else the browser's language. */
export function pickLanguage(explicit: string | undefined, pageLang: string, browser: string): Lang {
  const first = [explicit, pageLang, browser].find((l) => l?.trim())
  return /^ar\b/i.test(first ?? '') ? 'ar' : 'en'
}

/**
 * The formatting locale: the visitor's own preference when it is in the widget's language (en-GB
 * gets a 24-hour clock, ar-EG its digits), else the widget's language itself.
 */
export function visitorLocale(lang: Lang, preferred: readonly string[]): string {
  return preferred.find((l) => l.toLowerCase().split('-')[0] === lang) ?? lang
}

const WEEK_MS = 7 * 24 * 3600_000

/**
 * The notice shown while the team is away, or '' while it is open (or has no business hours):
 * the next opening as a weekday and time in the visitor's own time zone, with the date when it is
 * a week or more ahead.
 */
export function awayNotice(
  lang: Lang,
  availability: { open: boolean; nextOpenAt: string | null } | null,
  opts: { now: Date; locale: string; timeZone?: string },
): string {
  if (!availability || availability.open) return ''
  if (!availability.nextOpenAt) return STRINGS[lang].awayNoTime
  const at = new Date(availability.nextOpenAt)
  const when = new Intl.DateTimeFormat(opts.locale, {
    weekday: 'long',
    ...(at.getTime() - opts.now.getTime() >= WEEK_MS - 3600_000 ? { day: 'numeric', month: 'long' } : {}),
    hour: 'numeric',
    minute: '2-digit',
    ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
  }).format(at)
  return STRINGS[lang].away.replace('{when}', when)
}
