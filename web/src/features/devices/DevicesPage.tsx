import { useMemo, useState } from 'preact/hooks';
import { api } from '../../api/http.ts';
import type { CreateSession, DeviceView, MemberView, SessionView, SignedIn } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { ErrorMessage, listPlaceholder } from '../../ui/feedback.tsx';
import { Link } from '../../ui/link.tsx';
import { useResource } from '../../ui/resource.ts';
import { useNow, useStore } from '../../ui/store.ts';
import { InviteButton, mayInvite } from '../attended/InviteDialog.tsx';
import { can } from '../auth/auth.ts';
import { devicesStore, upsertDevice, upsertSession } from '../live/live.ts';
import { isAttended, listedDevices, startableBy } from './attended.ts';

export const DEVICE_FILTER_ID = 'device-filter';

/** Devices whose name, host, OS, group, end user or address contains every word of `query`. */
export function filterDevices(devices: DeviceView[], query: string): DeviceView[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return devices;
  return devices.filter((device) => {
    const haystack = [device.nickname, device.hostname, device.os, device.device_group ?? '', device.end_user ?? '', ...device.ip_addresses]
      .join(' ')
      .toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}

function byName(a: DeviceView, b: DeviceView): number {
  return a.nickname.localeCompare(b.nickname) || a.id.localeCompare(b.id);
}

type Status = 'online' | 'offline' | 'revoked';

function statusOf(device: DeviceView): Status {
  if (device.revoked) return 'revoked';
  return device.online ? 'online' : 'offline';
}

/** The name of the technician an attended device joined, for the others who see it. */
function AttendedFor({ device, names }: { device: DeviceView; names: ReadonlyMap<string, string> }) {
  const { t } = useI18n();
  const name = device.attended_by === null ? undefined : names.get(device.attended_by);
  return (
    <span class="attended-for muted" title={t('devices.attendedOthersHint')} data-testid="attended-for">
      {name === undefined ? t('devices.forAnotherTechnician') : t('devices.forTechnician', { name })}
    </span>
  );
}

export function DevicesPage({ me }: { me: SignedIn }) {
  const { t, describeError, relativeTime, dateTime } = useI18n();
  // Enrolling is company-wide (enrollment tokens); without it, the way there is not offered.
  const mayEnroll = can(me, 'devices.manage');
  const { items: all, error } = useStore(devicesStore);
  const items = useMemo(() => (all === null ? null : listedDevices(all)), [all]);
  // Another technician's attended device says whose it is, when the member list may be read.
  const othersAttended = items?.some((device) => isAttended(device) && !startableBy(device, me.user.id)) ?? false;
  const members = useResource<MemberView[]>(othersAttended && can(me, 'users.manage') ? '/api/users' : null);
  const names = useMemo(() => new Map((members.data ?? []).map((member) => [member.id, member.display_name])), [members.data]);
  const now = useNow(5000);
  const [query, setQuery] = useState('');
  const [actionError, setActionError] = useState<string | null>(null);
  const [connecting, setConnecting] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<DeviceView | null>(null);
  const [revokeBusy, setRevokeBusy] = useState(false);

  const visible = useMemo(() => (items === null ? [] : filterDevices([...items].sort(byName), query)), [items, query]);

  const connect = async (device: DeviceView): Promise<void> => {
    setConnecting(device.id);
    setActionError(null);
    try {
      const body: CreateSession = { device_id: device.id };
      const session = await api.post<SessionView>('/api/sessions', body);
      upsertSession(session);
      navigate(`/sessions/${encodeURIComponent(session.id)}`);
    } catch (caught) {
      setActionError(t('devices.connectFailed', { name: device.nickname, reason: describeError(caught) }));
    } finally {
      setConnecting(null);
    }
  };

  const revoke = async (): Promise<void> => {
    if (revoking === null) return;
    setRevokeBusy(true);
    setActionError(null);
    try {
      upsertDevice(await api.post<DeviceView>(`/api/devices/${encodeURIComponent(revoking.id)}/revoke`));
    } catch (caught) {
      setActionError(t('devices.revokeFailed', { name: revoking.nickname, reason: describeError(caught) }));
    } finally {
      setRevokeBusy(false);
      setRevoking(null);
    }
  };

  const header = (
    <div class="page-header">
      <div>
        <h1>{t('devices.title')}</h1>
        <p class="muted">{t('devices.subtitle')}</p>
      </div>
      <div class="page-actions">
        <label class="search">
          <span class="visually-hidden">{t('devices.filterLabel')}</span>
          <input
            id={DEVICE_FILTER_ID}
            type="search"
            placeholder={t('devices.filterPlaceholder')}
            aria-label={t('devices.filterLabel')}
            aria-keyshortcuts="/"
            value={query}
            onInput={(event) => setQuery(event.currentTarget.value)}
          />
        </label>
        <InviteButton me={me} />
        {mayEnroll && (
          <Link to="/enrollment" class="button">
            {t('devices.addDevice')}
          </Link>
        )}
      </div>
    </div>
  );

  let body = listPlaceholder(items, error === null ? null : describeError(error), t('common.loading'), {
    title: t('devices.emptyTitle'),
    body: mayEnroll ? t('devices.emptyBody') : mayInvite(me) ? t('devices.emptyBodyAttended') : t('devices.emptyBodyNoEnroll'),
    ...(mayEnroll ? { action: { to: '/enrollment', label: t('devices.emptyAction') } } : {}),
  });
  if (body === null && visible.length === 0) {
    body = <p class="empty-filter">{t('devices.noMatch', { query })}</p>;
  } else if (body === null) {
    body = (
      <div class="table-wrap card">
        <table class="table">
          <caption class="visually-hidden">{t('devices.caption', { count: visible.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('devices.col.name')}</th>
              <th scope="col">{t('devices.col.hostname')}</th>
              <th scope="col">{t('devices.col.os')}</th>
              <th scope="col">{t('devices.col.ip')}</th>
              <th scope="col">{t('devices.col.group')}</th>
              <th scope="col">{t('devices.col.status')}</th>
              <th scope="col">{t('devices.col.lastSeen')}</th>
              <th scope="col">
                <span class="visually-hidden">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {visible.map((device) => {
              const status = statusOf(device);
              const attended = isAttended(device);
              const startable = startableBy(device, me.user.id);
              return (
                <tr
                  key={device.id}
                  data-device-id={device.id}
                  data-attended={attended ? 'true' : undefined}
                  class={device.revoked ? 'row-muted' : undefined}
                >
                  <th scope="row" data-label={t('devices.col.name')}>
                    {device.nickname}
                  </th>
                  <td data-label={t('devices.col.hostname')}>{device.hostname || '—'}</td>
                  <td data-label={t('devices.col.os')}>{device.os || '—'}</td>
                  <td data-label={t('devices.col.ip')}>
                    {device.ip_addresses.length === 0 ? '—' : <span class="mono">{device.ip_addresses.join(', ')}</span>}
                  </td>
                  <td data-label={t('devices.col.group')}>{device.device_group ?? '—'}</td>
                  <td data-label={t('devices.col.status')}>
                    <span class="badges">
                      <span class={`badge badge-${status}`} data-status={status}>
                        {t(`devices.status.${status}`)}
                      </span>
                      {attended && (
                        <span class="badge badge-attended" title={t('devices.attendedHint')} data-testid="attended-badge">
                          {t('devices.attended')}
                        </span>
                      )}
                    </span>
                    {device.end_user !== null && (
                      <span class="end-user" data-testid="device-end-user">
                        {t('devices.endUser', { email: device.end_user })}
                      </span>
                    )}
                  </td>
                  <td data-label={t('devices.col.lastSeen')}>
                    {device.online ? (
                      t('devices.now')
                    ) : device.last_seen === null ? (
                      t('devices.never')
                    ) : (
                      <time dateTime={new Date(device.last_seen).toISOString()} title={dateTime(device.last_seen)}>
                        {relativeTime(device.last_seen, now)}
                      </time>
                    )}
                  </td>
                  <td class="actions">
                    {!device.revoked && (
                      <>
                        {startable ? (
                          <button
                            type="button"
                            class="button button-primary button-small"
                            disabled={!device.online || connecting !== null}
                            title={device.online ? undefined : t('devices.offlineHint')}
                            aria-label={t('devices.connectTo', { name: device.nickname })}
                            onClick={() => void connect(device)}
                          >
                            {connecting === device.id ? t('devices.connecting') : t('devices.connect')}
                          </button>
                        ) : (
                          <AttendedFor device={device} names={names} />
                        )}
                        <button
                          type="button"
                          class="button button-danger-ghost button-small"
                          aria-label={t('devices.revokeDevice', { name: device.nickname })}
                          onClick={() => setRevoking(device)}
                        >
                          {t('devices.revoke')}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    );
  }

  return (
    <section class="page">
      {header}
      {actionError !== null && <ErrorMessage>{actionError}</ErrorMessage>}
      {items !== null && error !== null && <ErrorMessage>{describeError(error)}</ErrorMessage>}
      {body}
      <ConfirmDialog
        open={revoking !== null}
        title={t('devices.revokeTitle')}
        message={t('devices.revokeBody', { name: revoking?.nickname ?? '' })}
        confirmLabel={t('devices.revoke')}
        busy={revokeBusy}
        onConfirm={() => void revoke()}
        onCancel={() => setRevoking(null)}
      />
    </section>
  );
}
