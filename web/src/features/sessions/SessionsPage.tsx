import type { SessionView, SignedIn } from '../../gen/proto.ts';
import { useI18n, type I18n } from '../../i18n/index.ts';
import { ErrorMessage, listPlaceholder } from '../../ui/feedback.tsx';
import { Link } from '../../ui/link.tsx';
import { useNow, useStore } from '../../ui/store.ts';
import { InviteButton, mayInvite } from '../attended/InviteDialog.tsx';
import { sessionsStore } from '../live/live.ts';

/** "1 h 05 min", "4 min 12 s": the length of a session. */
export function formatDuration(ms: number, t: I18n['t']): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const min = String(Math.floor((total % 3600) / 60));
  const s = String(total % 60);
  if (h > 0) return t('duration.hours', { h, min: min.padStart(2, '0') });
  if (min !== '0') return t('duration.minutes', { min, s: s.padStart(2, '0') });
  return t('duration.seconds', { s });
}

/** Who the session helped: the signed-in end user of an attended session, else nobody named. */
function EndUser({ session }: { session: SessionView }) {
  const { t } = useI18n();
  if (!session.attended) return <>—</>;
  return session.end_user === null ? <span class="muted">{t('sessions.anonymousEndUser')}</span> : <>{session.end_user}</>;
}

export function SessionsPage({ me }: { me: SignedIn }) {
  const { t, describeError, dateTime, endReason } = useI18n();
  const { items, error } = useStore(sessionsStore);
  const now = useNow(1000);

  let body = listPlaceholder(items, error === null ? null : describeError(error), t('common.loading'), {
    title: t('sessions.emptyTitle'),
    body: t('sessions.emptyBody'),
    action: { to: '/devices', label: t('sessions.emptyAction') },
  });
  if (body === null && items !== null) {
    body = (
      <div class="table-wrap card">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t('sessions.col.device')}</th>
              <th scope="col">{t('sessions.col.technician')}</th>
              <th scope="col">{t('sessions.col.endUser')}</th>
              <th scope="col">{t('sessions.col.started')}</th>
              <th scope="col">{t('sessions.col.ended')}</th>
              <th scope="col">{t('sessions.col.duration')}</th>
              <th scope="col">{t('sessions.col.outcome')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((session) => (
              <tr key={session.id} data-session-id={session.id}>
                <th scope="row" data-label={t('sessions.col.device')}>
                  {session.device_nickname}
                </th>
                <td data-label={t('sessions.col.technician')}>{session.technician_name}</td>
                <td data-label={t('sessions.col.endUser')} data-testid="session-end-user">
                  <EndUser session={session} />
                </td>
                <td data-label={t('sessions.col.started')}>{dateTime(session.started_at)}</td>
                <td data-label={t('sessions.col.ended')}>{session.ended_at === null ? '—' : dateTime(session.ended_at)}</td>
                <td data-label={t('sessions.col.duration')}>{formatDuration((session.ended_at ?? now) - session.started_at, t)}</td>
                <td data-label={t('sessions.col.outcome')}>
                  {session.ended_at === null ? (
                    <span class="outcome">
                      <span class="badge badge-online">{t('sessions.active')}</span>
                      <Link to={`/sessions/${encodeURIComponent(session.id)}`} class="button button-small">
                        {t('sessions.open')}
                      </Link>
                    </span>
                  ) : (
                    <span class="end-reason">{session.end_reason === null ? t('sessions.ended') : endReason(session.end_reason)}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  }

  return (
    <section class="page">
      <div class="page-header">
        <div>
          <h1>{t('sessions.title')}</h1>
          <p class="muted">{t('sessions.subtitle')}</p>
        </div>
        {mayInvite(me) && (
          <div class="page-actions">
            <InviteButton me={me} primary />
          </div>
        )}
      </div>
      {items !== null && error !== null && <ErrorMessage>{describeError(error)}</ErrorMessage>}
      {body}
    </section>
  );
}
