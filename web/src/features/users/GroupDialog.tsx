// Creates a user group or changes one: its name and, as a whole, its members.

import { useId, useState } from 'preact/hooks';
import { api, itemPath } from '../../api/http.ts';
import type { MemberView, UserGroupInput, UserGroupView } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { Checkbox } from '../../ui/checkbox.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { ErrorMessage } from '../../ui/feedback.tsx';

interface Props {
  /** The group to change; null to create one. */
  group: UserGroupView | null;
  users: readonly MemberView[];
  onClose(): void;
  onSaved(group: UserGroupView): void;
}

export function GroupDialog({ group, users, onClose, onSaved }: Props) {
  const { t, describeError } = useI18n();
  const formId = useId();
  const [name, setName] = useState(group?.name ?? '');
  const [memberIds, setMemberIds] = useState<ReadonlySet<string>>(new Set(group?.member_ids ?? []));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const toggle = (id: string, on: boolean): void => {
    setMemberIds((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  };

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    // PUT replaces the members, so send only ids of users still listed.
    const body: UserGroupInput = { name: name.trim(), member_ids: users.filter((user) => memberIds.has(user.id)).map((user) => user.id) };
    try {
      const saved =
        group === null
          ? await api.post<UserGroupView>('/api/user-groups', body)
          : await api.put<UserGroupView>(itemPath('/api/user-groups', group.id), body);
      onSaved(saved);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      title={group === null ? t('groups.createTitle') : t('groups.editTitle', { name: group.name })}
      onClose={onClose}
      footer={
        <>
          <button type="button" class="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form={formId} class="button button-primary" disabled={busy}>
            {busy ? t('common.saving') : group === null ? t('groups.create') : t('common.save')}
          </button>
        </>
      }
    >
      <form id={formId} onSubmit={(event) => void onSubmit(event)}>
        {error !== null && <ErrorMessage>{describeError(error)}</ErrorMessage>}
        <div class="field">
          <label for={`${formId}-name`}>{t('groups.name')}</label>
          <input id={`${formId}-name`} type="text" required autofocus maxLength={64} value={name} onInput={(event) => setName(event.currentTarget.value)} />
        </div>
        <fieldset class="choices" aria-describedby={`${formId}-members-hint`}>
          <legend>{t('groups.members')}</legend>
          {users.length === 0 ? (
            <p class="hint">{t('groups.noUsers')}</p>
          ) : (
            <div class="check-list">
              {users.map((user) => (
                <Checkbox key={user.id} label={user.display_name} hint={user.email} checked={memberIds.has(user.id)} onChange={(on) => toggle(user.id, on)} />
              ))}
            </div>
          )}
          <small id={`${formId}-members-hint`} class="hint">
            {t('groups.membersHint')}
          </small>
        </fieldset>
      </form>
    </Dialog>
  );
}
