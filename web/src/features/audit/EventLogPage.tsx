import { useEffect, useMemo, useState } from 'preact/hooks';
import { RequestError } from '../../api/http.ts';
import type { AuditEventView, SignedIn } from '../../gen/proto.ts';
import { useI18n, type I18n } from '../../i18n/index.ts';
import { ErrorMessage, Forbidden, listPlaceholder } from '../../ui/feedback.tsx';
import { useNow, useStore } from '../../ui/store.ts';
import { can } from '../auth/auth.ts';
import { auditStore, closeAuditLog, loadOlderAuditEvents, openAuditLog } from '../live/live.ts';
import { detailValue } from './details.ts';
import { filterEvents, isWarning } from './events.ts';

export const EVENT_FILTER_ID = 'event-filter';

/** What the filter searches in an entry: its name and code, actor, target and address. */
function searchableText(event: AuditEventView, i18n: I18n): (string | null)[] {
  return [
    i18n.auditCode(event.code),
    event.code,
    event.actor_name,
    i18n.actorKind(event.actor_kind),
    event.target_kind === null ? null : i18n.targetKind(event.target_kind),
    event.target_name,
    event.target_id,
    event.ip,
  ];
}

function EventLogForbidden() {
  const { t } = useI18n();
  return <Forbidden heading={t('events.title')} title={t('events.forbiddenTitle')} body={t('events.forbidden')} />;
}

function EventRow({ event, now }: { event: AuditEventView; now: number }) {
  const i18n = useI18n();
  const { t, dateTime, relativeTime, auditCode, actorKind, targetKind, detailKey } = i18n;
  const warning = isWarning(event.code);
  return (
    <tr data-event-id={event.id} data-code={event.code} class={warning ? 'row-warning' : undefined}>
      <td data-label={t('events.col.time')} class="event-time">
        <time dateTime={new Date(event.at).toISOString()}>{dateTime(event.at)}</time>
        <span class="secondary">{relativeTime(event.at, now)}</span>
      </td>
      <th scope="row" data-label={t('events.col.event')}>
        {warning ? (
          <span class="badge badge-warning" data-severity="warning" title={`${t('events.warning')} · ${event.code}`}>
            {auditCode(event.code)}
          </span>
        ) : (
          <span title={event.code}>{auditCode(event.code)}</span>
        )}
      </th>
      <td data-label={t('events.col.actor')}>
        {event.actor_kind === 'system' ? (
          actorKind('system')
        ) : (
          <>
            {event.actor_name}
            <span class="secondary">{actorKind(event.actor_kind)}</span>
          </>
        )}
      </td>
      <td data-label={t('events.col.target')}>
        {event.target_kind === null ? (
          '—'
        ) : (
          <>
            <span class="secondary">{targetKind(event.target_kind)}</span>
            {event.target_name !== null ? (
              <span title={event.target_id ?? undefined}>{event.target_name}</span>
            ) : (
              <span class="mono">{event.target_id ?? '—'}</span>
            )}
          </>
        )}
      </td>
      <td data-label={t('events.col.ip')}>{event.ip === null ? '—' : <span class="mono">{event.ip}</span>}</td>
      <td data-label={t('events.col.details')}>
        {event.details.length === 0 ? (
          '—'
        ) : (
          <dl class="details">
            {event.details.map(([key, value], index) => (
              <div key={`${index}-${key}`}>
                <dt>{detailKey(key)}</dt>
                <dd>{detailValue(key, value, i18n)}</dd>
              </div>
            ))}
          </dl>
        )}
      </td>
    </tr>
  );
}

function EventLog() {
  const i18n = useI18n();
  const { t, describeError } = i18n;
  const { items, error, hasOlder, loadingOlder, olderError } = useStore(auditStore);
  const now = useNow(10_000);
  const [query, setQuery] = useState('');

  useEffect(() => {
    openAuditLog();
    return closeAuditLog;
  }, []);

  const visible = useMemo(
    () => (items === null ? [] : filterEvents(items, query, (event) => searchableText(event, i18n))),
    [items, query, i18n],
  );

  if (error instanceof RequestError && error.code === 'forbidden') return <EventLogForbidden />;

  const header = (
    <div class="page-header">
      <div>
        <h1>{t('events.title')}</h1>
        <p class="muted">{t('events.subtitle')}</p>
      </div>
      <div class="page-actions">
        <label class="search">
          <span class="visually-hidden">{t('events.filterLabel')}</span>
          <input
            id={EVENT_FILTER_ID}
            type="search"
            placeholder={t('events.filterPlaceholder')}
            aria-label={t('events.filterLabel')}
            aria-keyshortcuts="/"
            value={query}
            onInput={(event) => setQuery(event.currentTarget.value)}
          />
        </label>
      </div>
    </div>
  );

  let body = listPlaceholder(items, error === null ? null : describeError(error), t('common.loading'), {
    title: t('events.emptyTitle'),
    body: t('events.emptyBody'),
    action: { to: '/devices', label: t('events.emptyAction') },
  });
  if (body === null && visible.length === 0) {
    body = <p class="empty-filter">{t('events.noMatch', { query })}</p>;
  } else if (body === null) {
    body = (
      <div class="table-wrap card">
        <table class="table table-events">
          <caption class="visually-hidden">{t('events.caption', { count: visible.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('events.col.time')}</th>
              <th scope="col">{t('events.col.event')}</th>
              <th scope="col">{t('events.col.actor')}</th>
              <th scope="col">{t('events.col.target')}</th>
              <th scope="col">{t('events.col.ip')}</th>
              <th scope="col">{t('events.col.details')}</th>
            </tr>
          </thead>
          <tbody>
            {visible.map((event) => (
              <EventRow key={event.id} event={event} now={now} />
            ))}
          </tbody>
        </table>
      </div>
    );
  }

  return (
    <section class="page">
      {header}
      {items !== null && error !== null && <ErrorMessage>{describeError(error)}</ErrorMessage>}
      {body}
      {olderError !== null && <ErrorMessage>{t('events.loadOlderFailed', { reason: describeError(olderError) })}</ErrorMessage>}
      {items !== null && items.length > 0 && hasOlder && (
        <div class="load-more">
          <button
            type="button"
            class="button"
            disabled={loadingOlder}
            aria-busy={loadingOlder}
            onClick={() => void loadOlderAuditEvents()}
          >
            {loadingOlder && <span class="spinner spinner-small" aria-hidden="true" />}
            {loadingOlder ? t('events.loadingOlder') : t('events.loadOlder')}
          </button>
        </div>
      )}
    </section>
  );
}

/** The company's event log, for users allowed to read it; others are told why they cannot. */
export function EventLogPage({ me }: { me: SignedIn }) {
  return can(me, 'event_log.view') ? <EventLog /> : <EventLogForbidden />;
}
