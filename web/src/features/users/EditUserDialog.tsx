// Changes a user's display name and whether they may sign in.

import { useId, useState } from 'preact/hooks';
import { api, itemPath } from '../../api/http.ts';
import type { MemberView, UpdateMember } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { Checkbox } from '../../ui/checkbox.tsx';
import { FormDialog } from '../../ui/dialog.tsx';
import { TextField, useSubmit } from '../../ui/form.tsx';

interface Props {
  member: MemberView;
  /** Whether disabling is offered (never for the owner or oneself; the server refuses both). */
  mayDisable: boolean;
  onClose(): void;
  onSaved(member: MemberView): void;
}

export function EditUserDialog({ member, mayDisable, onClose, onSaved }: Props) {
  const { t, describeError } = useI18n();
  const formId = useId();
  const [name, setName] = useState(member.display_name);
  const [disabled, setDisabled] = useState(member.disabled);
  const submission = useSubmit();

  const onSubmit = (): void => {
    void submission.run(async () => {
      const body: UpdateMember = { display_name: name.trim(), disabled };
      onSaved(await api.patch<MemberView>(itemPath('/api/users', member.id), body));
    });
  };

  return (
    <FormDialog
      id={formId}
      title={t('users.editTitle', { name: member.display_name })}
      onClose={onClose}
      onSubmit={onSubmit}
      submitLabel={t('common.save')}
      busyLabel={t('common.saving')}
      busy={submission.busy}
      error={submission.error === null ? null : describeError(submission.error)}
    >
      <TextField id={`${formId}-name`} label={t('users.displayName')} required autofocus maxLength={128} value={name} onInput={setName} />
      {mayDisable && <Checkbox label={t('users.disabled')} hint={t('users.disabledHint')} checked={disabled} onChange={setDisabled} />}
    </FormDialog>
  );
}
