// The company's users: who they are, their groups, whether they sign in with a
// second factor, and adding, changing, removing and deleting them, and resetting
// a lost second factor. The owner and the signed-in user are offered none of the
// actions that could lock the company or oneself out (the server refuses them too).

import { useMemo, useState } from 'preact/hooks';
import { api, itemPath } from '../../api/http.ts';
import type { MemberView, RoleView, SignedIn, UserGroupView } from '../../gen/proto.ts';
import { useI18n, type MessageKey } from '../../i18n/index.ts';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { EmptyCard, ErrorMessage, Loading, Notice } from '../../ui/feedback.tsx';
import { useResource } from '../../ui/resource.ts';
import { can } from '../auth/auth.ts';
import { AddUserDialog } from './AddUserDialog.tsx';
import { EditUserDialog } from './EditUserDialog.tsx';
import { byName } from './members.ts';
import { UsersTabs } from './UsersTabs.tsx';

type Confirm = { kind: 'remove' | 'delete' | 'reset'; member: MemberView };

/** The confirmation dialog's text for each action, and what it says once done. */
const CONFIRM_TEXT: Record<Confirm['kind'], { title: MessageKey; body: MessageKey; confirm: MessageKey; done: MessageKey }> = {
  remove: { title: 'users.removeTitle', body: 'users.removeBody', confirm: 'users.removeConfirm', done: 'users.removed' },
  delete: { title: 'users.deleteTitle', body: 'users.deleteBody', confirm: 'users.deleteConfirm', done: 'users.deleted' },
  reset: { title: 'users.resetTitle', body: 'users.resetBody', confirm: 'users.resetConfirm', done: 'users.resetDone' },
};

/** How each action is asked of the server. */
function perform(kind: Confirm['kind'], id: string): Promise<unknown> {
  switch (kind) {
    case 'remove':
      return api.post<undefined>(itemPath('/api/users', id, 'remove'));
    case 'delete':
      return api.delete(itemPath('/api/users', id));
    case 'reset':
      return api.post<undefined>(itemPath('/api/users', id, 'reset-two-factor'));
  }
}

/** The last change's outcome, kept untranslated so a language switch re-renders it. */
type Outcome = { kind: 'done'; key: MessageKey; name: string } | { kind: 'failed'; name: string; error: unknown };

function Badges({ member, self }: { member: MemberView; self: boolean }) {
  const { t } = useI18n();
  return (
    <span class="badges">
      {member.owner && (
        <span class="badge badge-owner" title={t('users.ownerHint')}>
          {t('users.badge.owner')}
        </span>
      )}
      {member.operator && <span class="badge badge-operator">{t('users.badge.operator')}</span>}
      {self && (
        <span class="badge badge-you" title={t('users.selfHint')}>
          {t('users.badge.you')}
        </span>
      )}
    </span>
  );
}

export function UsersPage({ me }: { me: SignedIn }) {
  const { t, describeError } = useI18n();
  const users = useResource<MemberView[]>('/api/users');
  const groups = useResource<UserGroupView[]>('/api/user-groups');
  const roles = useResource<RoleView[]>(can(me, 'roles.manage') ? '/api/roles' : null);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<MemberView | null>(null);
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const members = useMemo(() => (users.data === null ? null : [...users.data].sort(byName)), [users.data]);
  const groupNames = useMemo(() => new Map((groups.data ?? []).map((group) => [group.id, group.name])), [groups.data]);

  const act = async (): Promise<void> => {
    if (confirm === null) return;
    const { kind, member } = confirm;
    setBusy(true);
    try {
      await perform(kind, member.id);
      setOutcome({ kind: 'done', key: CONFIRM_TEXT[kind].done, name: member.display_name });
      await users.reload();
    } catch (caught) {
      setOutcome({ kind: 'failed', name: member.display_name, error: caught });
    } finally {
      setBusy(false);
      setConfirm(null);
    }
  };

  const replace = (member: MemberView): void => {
    users.update((list) => list?.map((existing) => (existing.id === member.id ? member : existing)) ?? null);
  };

  let body;
  if (members === null) {
    body = users.error !== null ? <ErrorMessage>{describeError(users.error)}</ErrorMessage> : <Loading label={t('common.loading')} />;
  } else if (members.length === 0) {
    body = (
      <EmptyCard title={t('users.emptyTitle')} body={t('users.emptyBody')}>
        <button type="button" class="button button-primary" onClick={() => setAdding(true)}>
          {t('users.add')}
        </button>
      </EmptyCard>
    );
  } else {
    body = (
      <div class="table-wrap card">
        <table class="table">
          <caption class="visually-hidden">{t('users.caption', { count: members.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('users.col.name')}</th>
              <th scope="col">{t('users.col.email')}</th>
              <th scope="col">{t('users.col.groups')}</th>
              <th scope="col">{t('users.col.twoFactor')}</th>
              <th scope="col">{t('users.col.status')}</th>
              <th scope="col">
                <span class="visually-hidden">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.map((member) => {
              const self = member.id === me.user.id;
              const protectedAccount = member.owner || self;
              const groupList = member.group_ids.map((id) => groupNames.get(id)).filter((name): name is string => name !== undefined);
              return (
                <tr key={member.id} data-user-id={member.id} class={member.disabled ? 'row-muted' : undefined}>
                  <th scope="row" data-label={t('users.col.name')}>
                    <span class="name-with-badges">
                      {member.display_name}
                      <Badges member={member} self={self} />
                    </span>
                  </th>
                  <td data-label={t('users.col.email')}>{member.email}</td>
                  <td data-label={t('users.col.groups')}>{groupList.length === 0 ? '—' : groupList.sort().join(', ')}</td>
                  <td data-label={t('users.col.twoFactor')}>
                    <span class={member.two_factor_enabled ? 'badge badge-online' : 'badge'} data-two-factor={member.two_factor_enabled ? 'on' : 'off'}>
                      {member.two_factor_enabled ? t('users.twoFactor.on') : t('users.twoFactor.off')}
                    </span>
                  </td>
                  <td data-label={t('users.col.status')}>
                    <span class={member.disabled ? 'badge badge-revoked' : 'badge badge-online'}>
                      {member.disabled ? t('users.status.disabled') : t('users.status.active')}
                    </span>
                  </td>
                  <td class="actions">
                    <button
                      type="button"
                      class="button button-small"
                      aria-label={t('users.editUser', { name: member.display_name })}
                      onClick={() => setEditing(member)}
                    >
                      {t('common.edit')}
                    </button>
                    {/* One's own second factor is turned off on one's account page, with the password. */}
                    {!self && member.two_factor_enabled && (
                      <button
                        type="button"
                        class="button button-danger-ghost button-small"
                        aria-label={t('users.resetTwoFactorUser', { name: member.display_name })}
                        onClick={() => setConfirm({ kind: 'reset', member })}
                      >
                        {t('users.resetTwoFactor')}
                      </button>
                    )}
                    {!protectedAccount && (
                      <button
                        type="button"
                        class="button button-danger-ghost button-small"
                        aria-label={t('users.removeUser', { name: member.display_name })}
                        onClick={() => setConfirm({ kind: 'remove', member })}
                      >
                        {t('users.remove')}
                      </button>
                    )}
                    {/* An operator's account serves the whole server: a company cannot delete it. */}
                    {!protectedAccount && !member.operator && (
                      <button
                        type="button"
                        class="button button-danger-ghost button-small"
                        aria-label={t('users.deleteUser', { name: member.display_name })}
                        onClick={() => setConfirm({ kind: 'delete', member })}
                      >
                        {t('users.delete')}
                      </button>
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

  const name = confirm?.member.display_name ?? '';
  const text = CONFIRM_TEXT[confirm?.kind ?? 'remove'];
  return (
    <section class="page">
      <div class="page-header">
        <div>
          <h1>{t('users.title')}</h1>
          <p class="muted">{t('users.subtitle')}</p>
        </div>
        <div class="page-actions">
          <button type="button" class="button button-primary" onClick={() => setAdding(true)}>
            {t('users.add')}
          </button>
        </div>
      </div>
      <UsersTabs current="users" />
      {outcome?.kind === 'done' && <Notice>{t(outcome.key, { name: outcome.name })}</Notice>}
      {outcome?.kind === 'failed' && <ErrorMessage>{t('users.actionFailed', { name: outcome.name, reason: describeError(outcome.error) })}</ErrorMessage>}
      {members !== null && users.error !== null && <ErrorMessage>{describeError(users.error)}</ErrorMessage>}
      {body}
      {adding && (
        <AddUserDialog
          roles={can(me, 'roles.manage') ? (roles.data ?? []) : null}
          onClose={() => setAdding(false)}
          onCreated={() => {
            setOutcome(null);
            void users.reload();
          }}
        />
      )}
      {editing !== null && (
        <EditUserDialog
          member={editing}
          mayDisable={!editing.owner && editing.id !== me.user.id}
          onClose={() => setEditing(null)}
          onSaved={(member) => {
            replace(member);
            setEditing(null);
          }}
        />
      )}
      <ConfirmDialog
        open={confirm !== null}
        title={t(text.title, { name })}
        message={t(text.body, { name })}
        confirmLabel={t(text.confirm)}
        busy={busy}
        onConfirm={() => void act()}
        onCancel={() => setConfirm(null)}
      />
    </section>
  );
}
