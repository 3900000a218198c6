import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useOutletContext } from 'react-router'
import { patch } from '../../api/client'
import type { WorkspaceView } from '../../api/types'
import { Alert, ErrorAlert, formErrors } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { SelectField, TextField } from '../../ui/Field'
import { Page } from '../../ui/Page'
import { timezoneOptions } from '../auth/SetupPage'
import { RequireCapability } from './SettingsLayout'

export function GeneralSettings() {
  return (
    <RequireCapability capability="settings.general">
      <GeneralForm />
    </RequireCapability>
  )
}

function GeneralForm() {
  const { t } = useTranslation()
  const view = useOutletContext<WorkspaceView>()
  const qc = useQueryClient()
  const [name, setName] = useState(view.workspace.name)
  const [timezone, setTimezone] = useState(view.workspace.timezone)
  const [language, setLanguage] = useState<string>(view.workspace.language)
  const save = useMutation({
    mutationFn: async () => {
      await patch(`/api/v1/workspaces/${view.workspace.id}`, { name, timezone, language })
      await qc.invalidateQueries({ queryKey: ['workspace', view.workspace.id] })
      await qc.invalidateQueries({ queryKey: ['session'] })
    },
  })
  const errors = formErrors(save.error)
  return (
    <Page title={t('settings.nav.general')} description={t('settings.general.description')}>
      <form
        className="form-narrow"
        onSubmit={(e) => {
          e.preventDefault()
          save.mutate()
        }}
      >
        {save.isSuccess && <Alert kind="success">{t('common.saved')}</Alert>}
        <ErrorAlert error={errors.alert} />
        <TextField
          label={t('settings.general.name')}
          value={name}
          onChange={setName}
          error={errors.field('name')}
          dir="auto"
        />
        <SelectField
          label={t('settings.general.timezone')}
          value={timezone}
          onChange={setTimezone}
          options={timezoneOptions(timezone)}
          error={errors.field('timezone')}
        />
        <SelectField
          label={t('settings.general.language')}
          value={language}
          onChange={setLanguage}
          options={[
            { value: 'en', label: 'English' },
            { value: 'ar', label: 'العربية' },
          ]}
        />
        <Button type="submit" variant="primary" busy={save.isPending}>
          {t('common.save')}
        </Button>
      </form>
    </Page>
  )
}
