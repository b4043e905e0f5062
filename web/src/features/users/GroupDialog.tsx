// Creates a user group or changes one: its name and, as a whole, its members.

import { useId, useState } from 'preact/hooks';
import { api, itemPath } from '../../api/http.ts';
import type { MemberView, UserGroupInput, UserGroupView } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { Checkbox } from '../../ui/checkbox.tsx';
import { FormDialog } from '../../ui/dialog.tsx';
import { TextField, toggled, useSubmit } from '../../ui/form.tsx';

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
  const submission = useSubmit();

  const onSubmit = (): void => {
    // PUT replaces the members, so send only ids of users still listed.
    const body: UserGroupInput = { name: name.trim(), member_ids: users.filter((user) => memberIds.has(user.id)).map((user) => user.id) };
    void submission.run(async () => {
      const saved =
        group === null
          ? await api.post<UserGroupView>('/api/user-groups', body)
          : await api.put<UserGroupView>(itemPath('/api/user-groups', group.id), body);
      onSaved(saved);
    });
  };

  return (
    <FormDialog
      id={formId}
      title={group === null ? t('groups.createTitle') : t('groups.editTitle', { name: group.name })}
      onClose={onClose}
      onSubmit={onSubmit}
      submitLabel={group === null ? t('groups.create') : t('common.save')}
      busyLabel={t('common.saving')}
      busy={submission.busy}
      error={submission.error === null ? null : describeError(submission.error)}
    >
      <TextField id={`${formId}-name`} label={t('groups.name')} required autofocus maxLength={64} value={name} onInput={setName} />
      <fieldset class="choices" aria-describedby={`${formId}-members-hint`}>
        <legend>{t('groups.members')}</legend>
        {users.length === 0 ? (
          <p class="hint">{t('groups.noUsers')}</p>
        ) : (
          <div class="check-list">
            {users.map((user) => (
              <Checkbox
                key={user.id}
                label={user.display_name}
                hint={user.email}
                checked={memberIds.has(user.id)}
                onChange={(on) => setMemberIds((current) => toggled(current, user.id, on))}
              />
            ))}
          </div>
        )}
        <small id={`${formId}-members-hint`} class="hint">
          {t('groups.membersHint')}
        </small>
      </fieldset>
    </FormDialog>
  );
}
