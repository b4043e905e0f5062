// The company's user groups: named sets of users that roles are granted to.

import { useMemo, useState } from 'preact/hooks';
import { api, itemPath } from '../../api/http.ts';
import type { MemberView, UserGroupView } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { EmptyCard, ErrorMessage, Loading } from '../../ui/feedback.tsx';
import { useResource } from '../../ui/resource.ts';
import { GroupDialog } from './GroupDialog.tsx';
import { byName } from './members.ts';
import { UsersTabs } from './UsersTabs.tsx';

type Editing = { group: UserGroupView | null };

export function GroupsPage() {
  const { t, describeError } = useI18n();
  const groups = useResource<UserGroupView[]>('/api/user-groups');
  const users = useResource<MemberView[]>('/api/users');
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<UserGroupView | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<{ name: string; error: unknown } | null>(null);

  const sortedUsers = useMemo(() => [...(users.data ?? [])].sort(byName), [users.data]);
  const userNames = useMemo(() => new Map(sortedUsers.map((user) => [user.id, user.display_name])), [sortedUsers]);
  const list = useMemo(() => (groups.data === null ? null : [...groups.data].sort((a, b) => a.name.localeCompare(b.name))), [groups.data]);

  const remove = async (): Promise<void> => {
    if (deleting === null) return;
    setBusy(true);
    setActionError(null);
    try {
      await api.delete(itemPath('/api/user-groups', deleting.id));
      await groups.reload();
    } catch (caught) {
      setActionError({ name: deleting.name, error: caught });
    } finally {
      setBusy(false);
      setDeleting(null);
    }
  };

  const saved = (group: UserGroupView): void => {
    groups.update((current) => [...(current ?? []).filter((existing) => existing.id !== group.id), group]);
    setEditing(null);
  };

  const addButton = (
    <button type="button" class="button button-primary" onClick={() => setEditing({ group: null })} disabled={users.data === null}>
      {t('groups.add')}
    </button>
  );

  let body;
  if (list === null) {
    body = groups.error !== null ? <ErrorMessage>{describeError(groups.error)}</ErrorMessage> : <Loading label={t('common.loading')} />;
  } else if (list.length === 0) {
    body = (
      <EmptyCard title={t('groups.emptyTitle')} body={t('groups.emptyBody')}>
        {addButton}
      </EmptyCard>
    );
  } else {
    body = (
      <div class="table-wrap card">
        <table class="table">
          <caption class="visually-hidden">{t('groups.caption', { count: list.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('groups.col.name')}</th>
              <th scope="col">{t('groups.col.members')}</th>
              <th scope="col">
                <span class="visually-hidden">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((group) => {
              const names = group.member_ids.map((id) => userNames.get(id) ?? id).sort();
              return (
                <tr key={group.id} data-group-id={group.id}>
                  <th scope="row" data-label={t('groups.col.name')}>
                    <span class="name-with-badges">
                      {group.name}
                      {group.external_id !== null && <span class="badge">{t('groups.external')}</span>}
                    </span>
                  </th>
                  <td data-label={t('groups.col.members')}>{names.length === 0 ? <span class="secondary">{t('groups.noMembers')}</span> : names.join(', ')}</td>
                  <td class="actions">
                    <button
                      type="button"
                      class="button button-small"
                      aria-label={t('groups.editGroup', { name: group.name })}
                      onClick={() => setEditing({ group })}
                      disabled={users.data === null}
                    >
                      {t('common.edit')}
                    </button>
                    <button
                      type="button"
                      class="button button-danger-ghost button-small"
                      aria-label={t('groups.deleteGroup', { name: group.name })}
                      onClick={() => setDeleting(group)}
                    >
                      {t('common.delete')}
                    </button>
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
          <h1>{t('groups.title')}</h1>
          <p class="muted">{t('groups.subtitle')}</p>
        </div>
        <div class="page-actions">{addButton}</div>
      </div>
      <UsersTabs current="groups" />
      {actionError !== null && <ErrorMessage>{t('groups.deleteFailed', { name: actionError.name, reason: describeError(actionError.error) })}</ErrorMessage>}
      {users.error !== null && <ErrorMessage>{describeError(users.error)}</ErrorMessage>}
      {list !== null && groups.error !== null && <ErrorMessage>{describeError(groups.error)}</ErrorMessage>}
      {body}
      {editing !== null && <GroupDialog group={editing.group} users={sortedUsers} onClose={() => setEditing(null)} onSaved={saved} />}
      <ConfirmDialog
        open={deleting !== null}
        title={t('groups.deleteTitle', { name: deleting?.name ?? '' })}
        message={t('groups.deleteBody')}
        confirmLabel={t('common.delete')}
        busy={busy}
        onConfirm={() => void remove()}
        onCancel={() => setDeleting(null)}
      />
    </section>
  );
}
