// The company's role grants, by name: which role, to whom, where; and revoking one.

import { useState } from 'preact/hooks';
import { api, itemPath } from '../../api/http.ts';
import type { DeviceGroupView, GrantView, MemberView, RoleView, UserGroupView } from '../../gen/proto.ts';
import { useI18n, type I18n } from '../../i18n/index.ts';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { ErrorMessage } from '../../ui/feedback.tsx';
import { roleName } from './names.ts';

interface Props {
  grants: readonly GrantView[];
  roles: readonly RoleView[];
  users: readonly MemberView[] | null;
  groups: readonly UserGroupView[] | null;
  deviceGroups: readonly DeviceGroupView[];
  onRevoked(): void;
}

interface Row {
  grant: GrantView;
  role: string;
  kind: 'user' | 'group';
  grantee: string;
  scope: string;
  /** The owner's company-wide Administrator grant, which the server keeps. */
  locked: boolean;
}

function describe(props: Props, t: I18n['t']): Row[] {
  const unknown = (id: string): string => t('grants.unknown', { id });
  const roles = new Map(props.roles.map((role) => [role.id, role]));
  const users = new Map((props.users ?? []).map((user) => [user.id, user]));
  const groups = new Map((props.groups ?? []).map((group) => [group.id, group.name]));
  const deviceGroups = new Map(props.deviceGroups.map((group) => [group.id, group.name]));
  const rows = props.grants.map((grant): Row => {
    const role = roles.get(grant.role_id);
    const user = grant.user_id === null ? undefined : users.get(grant.user_id);
    const groupId = grant.group_id ?? '';
    const scopeName = grant.device_group_id === null ? null : (deviceGroups.get(grant.device_group_id) ?? grant.device_group_id);
    return {
      grant,
      role: role === undefined ? unknown(grant.role_id) : roleName(role, t),
      kind: grant.user_id === null ? 'group' : 'user',
      grantee: grant.user_id === null ? (groups.get(groupId) ?? unknown(groupId)) : (user?.display_name ?? unknown(grant.user_id)),
      scope: scopeName === null ? t('grants.scope.company') : t('grants.scope.deviceGroup', { name: scopeName }),
      locked: role?.builtin === 'administrator' && grant.device_group_id === null && user?.owner === true,
    };
  });
  return rows.sort((a, b) => a.role.localeCompare(b.role) || a.grantee.localeCompare(b.grantee) || a.scope.localeCompare(b.scope));
}

export function GrantsSection(props: Props) {
  const { t, describeError, dateTime } = useI18n();
  const [revoking, setRevoking] = useState<Row | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const rows = describe(props, t);

  const revoke = async (): Promise<void> => {
    if (revoking === null) return;
    setBusy(true);
    setError(null);
    try {
      await api.delete(itemPath('/api/role-grants', revoking.grant.id));
      props.onRevoked();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
      setRevoking(null);
    }
  };

  return (
    <>
      {error !== null && <ErrorMessage>{t('grants.revokeFailed', { reason: describeError(error) })}</ErrorMessage>}
      {rows.length === 0 ? (
        <p class="empty-filter">{t('grants.empty')}</p>
      ) : (
        <div class="table-wrap card">
          <table class="table" data-testid="grants">
            <caption class="visually-hidden">{t('grants.caption', { count: rows.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('grants.col.role')}</th>
                <th scope="col">{t('grants.col.grantee')}</th>
                <th scope="col">{t('grants.col.scope')}</th>
                <th scope="col">{t('grants.col.created')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.grant.id} data-grant-id={row.grant.id}>
                  <th scope="row" data-label={t('grants.col.role')}>
                    {row.role}
                  </th>
                  <td data-label={t('grants.col.grantee')}>
                    <span class="secondary">{t(`grants.kind.${row.kind}`)}</span>
                    {row.grantee}
                  </td>
                  <td data-label={t('grants.col.scope')}>{row.scope}</td>
                  <td data-label={t('grants.col.created')}>{dateTime(row.grant.created_at)}</td>
                  <td class="actions">
                    {!row.locked && (
                      <button
                        type="button"
                        class="button button-danger-ghost button-small"
                        aria-label={t('grants.revokeGrant', { role: row.role, grantee: row.grantee })}
                        onClick={() => setRevoking(row)}
                      >
                        {t('grants.revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={revoking !== null}
        title={t('grants.revokeTitle')}
        message={t('grants.revokeBody', { grantee: revoking?.grantee ?? '', role: revoking?.role ?? '', scope: revoking?.scope ?? '' })}
        confirmLabel={t('grants.revoke')}
        busy={busy}
        onConfirm={() => void revoke()}
        onCancel={() => setRevoking(null)}
      />
    </>
  );
}
