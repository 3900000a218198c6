import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { get, put } from '../../api/client'
import type { BusinessHoursView } from '../../api/types'
import { Alert, ErrorAlert, formErrors } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Checkbox, TextField } from '../../ui/Field'
import { Loading, Page } from '../../ui/Page'
import { useView } from '../contacts/queries'
import { weekdayName, weekOrder } from './helpers'
import { RequireCapability } from './SettingsLayout'

type Interval = { from: string; to: string }
/** An interval being edited, with a key that stays with it while rows are added and removed. */
type Row = Interval & { key: number }
let lastKey = 0
const rows = (day: readonly Interval[]): Row[] => day.map(({ from, to }) => ({ from, to, key: ++lastKey }))
type Holiday = { date: string; name: string }
const MAX_INTERVALS = 4

/** Settings → Business hours: the weekly hours and holidays workflows use (Date & Time step). */
export function BusinessHoursSettings() {
  return (
    <RequireCapability capability="settings.general">
      <BusinessHoursPage />
    </RequireCapability>
  )
}

function BusinessHoursPage() {
  const { t } = useTranslation()
  const ws = useView().workspace.id
  const hours = useQuery({
    queryKey: ['business-hours', ws],
    queryFn: () => get<BusinessHoursView>(`/api/v1/workspaces/${ws}/business-hours`),
  })
  return (
    <Page title={t('settings.nav.businessHours')} description={t('businessHours.description')}>
      <ErrorAlert error={hours.error} />
      {hours.isLoading ? <Loading /> : hours.data && <HoursForm ws={ws} initial={hours.data} />}
    </Page>
  )
}

function HoursForm({ ws, initial }: { ws: number; initial: BusinessHoursView }) {
  const { t, i18n } = useTranslation()
  const qc = useQueryClient()
  const [enabled, setEnabled] = useState(initial.enabled)
  const [week, setWeek] = useState<Row[][]>(() => initial.week.map(rows))
  const [holidays, setHolidays] = useState<Holiday[]>(initial.holidays)
  const save = useMutation({
    mutationFn: async () => {
      const saved = await put<BusinessHoursView>(`/api/v1/workspaces/${ws}/business-hours`, {
        enabled,
        week: week.map((day) => day.map(({ from, to }) => ({ from, to }))),
        holidays,
      })
      qc.setQueryData(['business-hours', ws], saved)
      setWeek(saved.week.map(rows))
      setHolidays(saved.holidays)
    },
  })
  const errors = formErrors(save.error)
  const setDay = (day: number, intervals: Row[]) =>
    setWeek((w) => w.map((d, i) => (i === day ? intervals : d)))
  return (
    <form
      className="card business-hours"
      onSubmit={(e) => {
        e.preventDefault()
        save.mutate()
      }}
    >
      {save.isSuccess && <Alert kind="success">{t('common.saved')}</Alert>}
      <ErrorAlert error={errors.alert} />
      <Checkbox
        label={t('businessHours.enabled')}
        hint={t('businessHours.timezone', { timezone: initial.timezone })}
        checked={enabled}
        onChange={setEnabled}
      />
      <h2>{t('businessHours.weekTitle')}</h2>
      {weekOrder(i18n.language).map((day) => {
        const name = weekdayName(day, i18n.language)
        const intervals = week[day] ?? []
        return (
          <fieldset key={day} className="hours-day" data-day={day}>
            <legend>{name}</legend>
            <div className="hours-day-body">
              <div className="hours-intervals">
                {intervals.length === 0 && <p className="muted">{t('businessHours.closed')}</p>}
                {intervals.map((iv, i) => (
                  <div key={iv.key} className="inline-form hours-interval">
                    <TextField
                      label={t('businessHours.from')}
                      type="time"
                      value={iv.from}
                      onChange={(from) =>
                        setDay(
                          day,
                          intervals.map((x, j) => (j === i ? { ...x, from } : x)),
                        )
                      }
                      error={errors.field(`week.${day}.${i}.from`)}
                      required
                    />
                    <TextField
                      label={t('businessHours.to')}
                      type="time"
                      value={iv.to}
                      onChange={(to) =>
                        setDay(
                          day,
                          intervals.map((x, j) => (j === i ? { ...x, to } : x)),
                        )
                      }
                      error={errors.field(`week.${day}.${i}.to`)}
                      required
                    />
                    <Button
                      variant="ghost"
                      aria-label={t('businessHours.removeInterval', { day: name, from: iv.from, to: iv.to })}
                      onClick={() =>
                        setDay(
                          day,
                          intervals.filter((_, j) => j !== i),
                        )
                      }
                    >
                      {t('common.remove')}
                    </Button>
                  </div>
                ))}
                {errors.field(`week.${day}`) && (
                  <p className="field-error" role="alert">
                    {errors.field(`week.${day}`)}
                  </p>
                )}
              </div>
              <span className="cell-actions">
                <Button
                  variant="ghost"
                  disabled={intervals.length >= MAX_INTERVALS}
                  aria-label={t('businessHours.addIntervalTo', { day: name })}
                  onClick={() => {
                    const last = intervals[intervals.length - 1]
                    const next = last ? { from: last.to, to: '23:59' } : { from: '09:00', to: '17:00' }
                    setDay(day, [...intervals, ...rows([next])])
                  }}
                >
                  {t('businessHours.addInterval')}
                </Button>
                <Button
                  variant="ghost"
                  aria-label={t('businessHours.copyFrom', { day: name })}
                  onClick={() => setWeek((w) => w.map(() => rows(intervals)))}
                >
                  {t('businessHours.copyToAll')}
                </Button>
              </span>
            </div>
          </fieldset>
        )
      })}
      <Holidays holidays={holidays} setHolidays={setHolidays} fieldError={errors.field} />
      <Button type="submit" variant="primary" busy={save.isPending}>
        {t('common.save')}
      </Button>
    </form>
  )
}

function Holidays({
  holidays,
  setHolidays,
  fieldError,
}: {
  holidays: Holiday[]
  setHolidays: (h: Holiday[]) => void
  fieldError: (name: string) => string | undefined
}) {
  const { t } = useTranslation()
  const [date, setDate] = useState('')
  const [name, setName] = useState('')
  return (
    <section aria-labelledby="holidays-title">
      <h2 id="holidays-title">{t('businessHours.holidays')}</h2>
      <p className="field-hint">{t('businessHours.holidaysHint')}</p>
      {holidays.length === 0 && <p className="muted">{t('businessHours.noHolidays')}</p>}
      <ul className="plain-list">
        {holidays.map((h, i) => (
          <li key={h.date} className="stage-row" data-holiday={h.date}>
            <span>
              <strong>{h.date}</strong> <span dir="auto">{h.name}</span>
              {fieldError(`holidays.${i}.date`) && (
                <span className="field-error" role="alert">
                  {fieldError(`holidays.${i}.date`)}
                </span>
              )}
            </span>
            <Button
              variant="ghost"
              aria-label={t('businessHours.removeHoliday', { date: h.date })}
              onClick={() => setHolidays(holidays.filter((_, j) => j !== i))}
            >
              {t('common.remove')}
            </Button>
          </li>
        ))}
      </ul>
      {fieldError('holidays') && (
        <p className="field-error" role="alert">
          {fieldError('holidays')}
        </p>
      )}
      <div className="inline-form">
        <TextField label={t('businessHours.holidayDate')} type="date" value={date} onChange={setDate} />
        <TextField
          label={t('businessHours.holidayName')}
          value={name}
          onChange={setName}
          maxLength={100}
          dir="auto"
        />
        <Button
          disabled={!date || holidays.some((h) => h.date === date)}
          onClick={() => {
            setHolidays([...holidays, { date, name: name.trim() }])
            setDate('')
            setName('')
          }}
        >
          {t('businessHours.addHoliday')}
        </Button>
      </div>
    </section>
  )
}
