import { useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { patch } from '../api/client'
import { sessionKey } from '../api/session'
import { applyLanguage, type Language } from '../i18n'

/** Switches between English and Arabic; signed-in users keep the choice in their profile. */
export function LanguageSwitch({ signedIn, onSwitch }: { signedIn: boolean; onSwitch?: () => void }) {
  const { i18n } = useTranslation()
  const qc = useQueryClient()
  const next: Language = i18n.language === 'ar' ? 'en' : 'ar'
  return (
    <button
      type="button"
      className="btn btn-ghost lang-switch"
      lang={next}
      onClick={() => {
        applyLanguage(next)
        onSwitch?.()
        if (signedIn)
          void patch('/api/v1/me', { locale: next }).then(() =>
            qc.invalidateQueries({ queryKey: sessionKey }),
          )
      }}
    >
      {next === 'ar' ? 'العربية' : 'English'}
    </button>
  )
}
