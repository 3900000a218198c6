import { useTranslation } from 'react-i18next'

/** Dates, times and durations in the user's language (Intl). */
export function useFormat() {
  const { i18n } = useTranslation()
  const lang = i18n.language
  return {
    dateTime: (iso: string | null) =>
      iso
        ? new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
        : '',
    number: (n: number) => new Intl.NumberFormat(lang).format(n),
    duration: (ms: number | null) =>
      ms === null
        ? ''
        : ms < 1000
          ? new Intl.NumberFormat(lang, { style: 'unit', unit: 'millisecond', unitDisplay: 'narrow' }).format(
              ms,
            )
          : new Intl.NumberFormat(lang, {
              style: 'unit',
              unit: 'second',
              unitDisplay: 'narrow',
              maximumFractionDigits: 1,
            }).format(ms / 1000),
  }
}

/** A JSON value for the step log (inputs, outputs, variables): machine text, left to right. */
export function Json({ value }: { value: unknown }) {
  return (
    <pre className="json" dir="ltr">
      {JSON.stringify(value, null, 2)}
    </pre>
  )
}
