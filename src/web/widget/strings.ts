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
  },
} as const

export type Lang = keyof typeof STRINGS
export type StringKey = keyof (typeof STRINGS)['en']

/** data-lang on the script tag, else the host page's lang, else the browser's language. */
export function pickLanguage(explicit: string | undefined, pageLang: string, browser: string): Lang {
  const first = [explicit, pageLang, browser].find((l) => l?.trim())
  return /^ar\b/i.test(first ?? '') ? 'ar' : 'en'
}
