import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { get, post } from '../../api/client'
import type { WebhookDelivery, WebhookDeliveryDetail } from '../../api/types'
import { ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Badge } from '../../ui/Page'
import { Table } from '../../ui/Table'
import { useAction } from '../../ui/useAction'
import { formatDateTime } from '../contacts/queries'

const TONE = {
  waiting: 'neutral',
  pending: 'blue',
  sending: 'blue',
  retrying: 'amber',
  delivered: 'green',
  dead: 'red',
} as const

/** A webhook's delivery log, newest first, with replay of one delivery. */
export function WebhookDeliveries({ ws, webhookId }: { ws: number; webhookId: number }) {
  const { t, i18n } = useTranslation()
  const qc = useQueryClient()
  const base = `/api/v1/workspaces/${ws}/webhooks/${webhookId}`
  const key = ['webhook-deliveries', ws, webhookId]
  const { act, error } = useAction(() => qc.invalidateQueries({ queryKey: key }))
  const log = useInfiniteQuery({
    queryKey: key,
    initialPageParam: '',
    queryFn: ({ pageParam }) =>
      get<{ items: WebhookDelivery[]; nextCursor: string | null }>(
        `${base}/deliveries?limit=25${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`,
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 2000,
  })
  const items = log.data?.pages.flatMap((p) => p.items) ?? []
  const [open, setOpen] = useState<string | null>(null)
  return (
    <section className="delivery-log" aria-label={t('webhooks.deliveryLog')}>
      <ErrorAlert error={error ?? log.error} />
      {!log.isLoading && (
        <Table
          columns={[
            t('webhooks.event'),
            t('webhooks.status'),
            t('webhooks.attempts'),
            t('webhooks.response'),
            t('webhooks.created'),
          ]}
          rows={items}
          empty={t('webhooks.noDeliveries')}
        >
          {(d) => (
            <tr key={d.id} data-delivery={d.event} data-status={d.status}>
              <td dir="ltr" className="cell-ltr">
                <code>{d.event}</code>
              </td>
              <td>
                <Badge tone={TONE[d.status]}>{t(`webhooks.statuses.${d.status}`)}</Badge>
              </td>
              <td>{d.attempts}</td>
              <td dir="ltr" className="cell-ltr">
                {d.lastStatusCode ?? d.lastError ?? ''}
              </td>
              <td>{formatDateTime(d.createdAt, i18n.language)}</td>
              <td className="cell-actions">
                <Button
                  variant="ghost"
                  aria-expanded={open === d.id}
                  onClick={() => setOpen(open === d.id ? null : d.id)}
                >
                  {t('webhooks.details')}
                </Button>
                <Button
                  variant="ghost"
                  disabled={!['delivered', 'dead'].includes(d.status)}
                  onClick={() => act(() => post(`${base}/deliveries/${d.id}/replay`))}
                >
                  {t('webhooks.replay')}
                </Button>
              </td>
            </tr>
          )}
        </Table>
      )}
      {open && <DeliveryDetail url={`${base}/deliveries/${open}`} />}
      {log.hasNextPage && (
        <Button busy={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
          {t('contacts.loadMore')}
        </Button>
      )}
    </section>
  )
}

function DeliveryDetail({ url }: { url: string }) {
  const { t, i18n } = useTranslation()
  const detail = useQuery({
    queryKey: ['webhook-delivery', url],
    queryFn: () => get<WebhookDeliveryDetail>(url),
  })
  if (!detail.data) return <ErrorAlert error={detail.error} />
  return (
    <section className="delivery-detail" aria-label={t('webhooks.details')}>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t('webhooks.attempts')}</th>
            <th scope="col">{t('webhooks.created')}</th>
            <th scope="col">{t('webhooks.response')}</th>
            <th scope="col">{t('webhooks.duration')}</th>
          </tr>
        </thead>
        <tbody>
          {detail.data.history.map((a) => (
            <tr key={a.number}>
              <td>{a.number}</td>
              <td>{formatDateTime(a.startedAt, i18n.language)}</td>
              <td dir="ltr" className="cell-ltr">
                {a.statusCode ?? a.error ?? ''}
              </td>
              <td>{t('webhooks.ms', { count: a.durationMs })}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <pre className="payload" dir="ltr">
        {JSON.stringify(detail.data.payload, null, 2)}
      </pre>
    </section>
  )
}
