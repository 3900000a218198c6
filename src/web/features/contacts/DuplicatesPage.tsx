import { useInfiniteQuery } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { get } from '../../api/client'
import type { Contact } from '../../api/types'
import { Alert, ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Loading, Page } from '../../ui/Page'
import { Table } from '../../ui/Table'
import { useView } from './queries'

type Group = { kind: 'phone' | 'email'; value: string; contacts: Contact[] }

/** Rule 53: every phone and email shared by several contacts, each a merge suggestion. */
export function DuplicatesPage() {
  const { t } = useTranslation()
  const view = useView()
  if (!view.capabilities['contacts.view']) return <Alert kind="error">{t('errors.forbidden')}</Alert>
  return <Duplicates />
}

function Duplicates() {
  const { t } = useTranslation()
  const ws = useView().workspace.id
  const groups = useInfiniteQuery({
    queryKey: ['merge-suggestions', ws],
    initialPageParam: '',
    queryFn: ({ pageParam }) =>
      get<{ groups: Group[]; nextCursor: string | null }>(
        `/api/v1/workspaces/${ws}/contacts/merge-suggestions?limit=25${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`,
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  })
  const list = groups.data?.pages.flatMap((p) => p.groups) ?? []
  return (
    <Page
      title={t('contacts.duplicates.title')}
      description={t('contacts.duplicates.description')}
      actions={
        <Link className="btn btn-ghost" to={`/w/${ws}/contacts`}>
          {t('contacts.back')}
        </Link>
      }
    >
      <ErrorAlert error={groups.error} />
      {groups.isLoading && <Loading />}
      {!groups.isLoading && (
        <Table
          columns={[t('contacts.duplicates.shared'), t('nav.contacts')]}
          rows={list}
          empty={t('contacts.duplicates.empty')}
        >
          {(g) => (
            <tr key={`${g.kind}:${g.value}`} data-duplicate={g.value}>
              <td>
                <span className="muted">{t(`contacts.fields.${g.kind}`)}</span>{' '}
                <span dir="ltr">{g.value}</span>
              </td>
              <td>
                {g.contacts.map((c, i) => (
                  <span key={c.id}>
                    {i > 0 && ', '}
                    <Link to={`/w/${ws}/contacts/${c.id}`} dir="auto">
                      {c.displayName}
                    </Link>
                  </span>
                ))}
              </td>
              <td className="cell-actions">
                {g.contacts.length >= 2 && (
                  <Link
                    className="btn btn-secondary"
                    to={`/w/${ws}/contacts/merge?a=${g.contacts[0]!.id}&b=${g.contacts[1]!.id}`}
                  >
                    {t('contacts.merge.review')}
                  </Link>
                )}
              </td>
            </tr>
          )}
        </Table>
      )}
      {groups.hasNextPage && (
        <Button busy={groups.isFetchingNextPage} onClick={() => void groups.fetchNextPage()}>
          {t('contacts.loadMore')}
        </Button>
      )}
    </Page>
  )
}
