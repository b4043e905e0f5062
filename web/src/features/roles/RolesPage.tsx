// Roles and their grants. Built-in roles are shown, never changed; the company's
// own roles are created, changed and deleted here, and any role is granted to a
// user or user group, company-wide or on one device group.

import { useMemo, useState } from 'preact/hooks';
import { api, itemPath } from '../../api/http.ts';
import type { DeviceGroupView, GrantView, MemberView, RoleView, SignedIn, UserGroupView } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { ErrorMessage, Loading } from '../../ui/feedback.tsx';
import { useResource } from '../../ui/resource.ts';
import { ALL_PERMISSIONS, sortPermissions } from '../access/permissions.ts';
import { can } from '../auth/auth.ts';
import { GrantDialog } from './GrantDialog.tsx';
import { GrantsSection } from './GrantsSection.tsx';
import { roleAbout, roleName, sortRoles } from './names.ts';
import { RoleDialog } from './RoleDialog.tsx';

function Restrictions({ role }: { role: RoleView }) {
  const { t } = useI18n();
  const badges = [
    role.view_only && <span key="view" class="badge badge-view-only">{t('roles.viewOnlyBadge')}</span>,
    role.upload_paths !== null && (
      <span key="up" class="badge" title={role.upload_paths.join('\n')}>
        {t('roles.uploadLimited')}
      </span>
    ),
    role.download_paths !== null && (
      <span key="down" class="badge" title={role.download_paths.join('\n')}>
        {t('roles.downloadLimited')}
      </span>
    ),
  ].filter(Boolean);
  return badges.length === 0 ? <>—</> : <span class="badges">{badges}</span>;
}

export function RolesPage({ me }: { me: SignedIn }) {
  const { t, describeError } = useI18n();
  const mayListUsers = can(me, 'users.manage');
  const roles = useResource<RoleView[]>('/api/roles');
  const grants = useResource<GrantView[]>('/api/role-grants');
  const users = useResource<MemberView[]>(mayListUsers ? '/api/users' : null);
  const groups = useResource<UserGroupView[]>(mayListUsers ? '/api/user-groups' : null);
  const deviceGroups = useResource<DeviceGroupView[]>('/api/device-groups');
  const [editing, setEditing] = useState<{ role: RoleView | null } | null>(null);
  const [granting, setGranting] = useState<{ roleId: string | null } | null>(null);
  const [deleting, setDeleting] = useState<RoleView | null>(null);
  const [busy, setBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<{ name: string; error: unknown } | null>(null);

  const list = useMemo(() => (roles.data === null ? null : sortRoles(roles.data)), [roles.data]);
  // The grants table needs all four lists to show names; the first failure says why it cannot.
  const grantsError: unknown = [grants.error, users.error, groups.error, deviceGroups.error].find((error) => error !== null) ?? null;

  const remove = async (): Promise<void> => {
    if (deleting === null) return;
    setBusy(true);
    setDeleteError(null);
    try {
      await api.delete(itemPath('/api/roles', deleting.id));
      await Promise.all([roles.reload(), grants.reload()]);
    } catch (caught) {
      setDeleteError({ name: deleting.name, error: caught });
    } finally {
      setBusy(false);
      setDeleting(null);
    }
  };

  const saved = (role: RoleView): void => {
    roles.update((current) => [...(current ?? []).filter((existing) => existing.id !== role.id), role]);
    setEditing(null);
  };

  let table;
  if (list === null) {
    table = roles.error !== null ? <ErrorMessage>{describeError(roles.error)}</ErrorMessage> : <Loading label={t('common.loading')} />;
  } else {
    table = (
      <div class="table-wrap card">
        <table class="table" data-testid="roles">
          <caption class="visually-hidden">{t('roles.caption', { count: list.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('roles.col.name')}</th>
              <th scope="col">{t('roles.col.permissions')}</th>
              <th scope="col">{t('roles.col.restrictions')}</th>
              <th scope="col">
                <span class="visually-hidden">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((role) => {
              const name = roleName(role, t);
              const held = sortPermissions(role.permissions);
              return (
                <tr key={role.id} data-role-id={role.id}>
                  <th scope="row" data-label={t('roles.col.name')}>
                    <span class="name-with-badges">
                      {name}
                      {role.builtin !== null && <span class="badge badge-builtin">{t('roles.builtin')}</span>}
                    </span>
                    {roleAbout(role, t) !== '' && <span class="secondary role-about">{roleAbout(role, t)}</span>}
                  </th>
                  <td data-label={t('roles.col.permissions')}>
                    <span title={held.map((permission) => t(`permission.${permission}`)).join('\n')}>
                      {held.length === 0 ? t('roles.noPermissions') : t('roles.permissionCount', { count: held.length, total: ALL_PERMISSIONS.length })}
                    </span>
                  </td>
                  <td data-label={t('roles.col.restrictions')}>
                    <Restrictions role={role} />
                  </td>
                  <td class="actions">
                    <button type="button" class="button button-small" aria-label={t('roles.grantRole', { name })} onClick={() => setGranting({ roleId: role.id })}>
                      {t('roles.grant')}
                    </button>
                    {role.builtin !== null ? (
                      <button type="button" class="button button-small" aria-label={t('roles.showRole', { name })} onClick={() => setEditing({ role })}>
                        {t('roles.show')}
                      </button>
                    ) : (
                      <>
                        <button type="button" class="button button-small" aria-label={t('roles.editRole', { name })} onClick={() => setEditing({ role })}>
                          {t('common.edit')}
                        </button>
                        <button
                          type="button"
                          class="button button-danger-ghost button-small"
                          aria-label={t('roles.deleteRole', { name })}
                          onClick={() => setDeleting(role)}
                        >
                          {t('common.delete')}
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
      <div class="page-header">
        <div>
          <h1>{t('roles.title')}</h1>
          <p class="muted">{t('roles.subtitle')}</p>
        </div>
        <div class="page-actions">
          <button type="button" class="button button-primary" onClick={() => setEditing({ role: null })}>
            {t('roles.add')}
          </button>
        </div>
      </div>
      {deleteError !== null && <ErrorMessage>{t('roles.deleteFailed', { name: deleteError.name, reason: describeError(deleteError.error) })}</ErrorMessage>}
      {table}

      <div class="page-header section-title">
        <div>
          <h2 id="grants-title">{t('grants.title')}</h2>
          <p class="muted">{t('grants.subtitle')}</p>
        </div>
        <div class="page-actions">
          <button type="button" class="button" onClick={() => setGranting({ roleId: null })} disabled={list === null}>
            {t('grants.add')}
          </button>
        </div>
      </div>
      {grantsError !== null && <ErrorMessage>{describeError(grantsError)}</ErrorMessage>}
      {grants.data === null || list === null ? (
        grants.error === null && <Loading label={t('common.loading')} />
      ) : (
        <GrantsSection
          grants={grants.data}
          roles={list}
          users={users.data}
          groups={groups.data}
          deviceGroups={deviceGroups.data ?? []}
          onRevoked={() => void grants.reload()}
        />
      )}

      {editing !== null && <RoleDialog role={editing.role} onClose={() => setEditing(null)} onSaved={saved} />}
      {granting !== null && list !== null && (
        <GrantDialog
          roles={list}
          users={mayListUsers ? (users.data ?? []) : null}
          groups={mayListUsers ? (groups.data ?? []) : null}
          deviceGroups={deviceGroups.data ?? []}
          roleId={granting.roleId}
          onClose={() => setGranting(null)}
          onGranted={(grant) => {
            grants.update((current) => [...(current ?? []), grant]);
            setGranting(null);
          }}
        />
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={t('roles.deleteTitle', { name: deleting?.name ?? '' })}
        message={t('roles.deleteBody')}
        confirmLabel={t('common.delete')}
        busy={busy}
        onConfirm={() => void remove()}
        onCancel={() => setDeleting(null)}
      />
    </section>
  );
}
