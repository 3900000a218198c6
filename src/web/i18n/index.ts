import i18n from 'i18next'
import { initReactI18next } from 'react-i18next'
import ar from './ar.json'
import en from './en.json'

export type Language = 'en' | 'ar'
export const LANGUAGES: Language[] = ['en', 'ar']
const STORAGE_KEY = 'tawasul.language'

function initialLanguage(): Language {
  const stored = localStorage.getItem(STORAGE_KEY)
  if (stored === 'en' || stored === 'ar') return stored
  return navigator.language.toLowerCase().startsWith('ar') ? 'ar' : 'en'
}

/** Applies a language everywhere: i18next, <html lang dir>, and the stored preference. */
export function applyLanguage(language: Language): void {
  if (i18n.language !== language) void i18n.changeLanguage(language)
  document.documentElement.lang = language
  document.documentElement.dir = i18n.dir(language)
  localStorage.setItem(STORAGE_KEY, language)
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, ar: { translation: ar } },
  lng: initialLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false,
})
applyLanguage(i18n.language as Language)

export function formatDateTime(iso: string | null | undefined, language: string): string {
  if (!iso) return ''
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
}

export default i18n
