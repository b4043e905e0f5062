// Changes a user's display name and whether they may sign in.

import { useId, useState } from 'preact/hooks';
import { api, itemPath } from '../../api/http.ts';
import type { MemberView, UpdateMember } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { Checkbox } from '../../ui/checkbox.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { ErrorMessage } from '../../ui/feedback.tsx';

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
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const body: UpdateMember = { display_name: name.trim(), disabled };
      onSaved(await api.patch<MemberView>(itemPath('/api/users', member.id), body));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      title={t('users.editTitle', { name: member.display_name })}
      onClose={onClose}
      footer={
        <>
          <button type="button" class="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form={formId} class="button button-primary" disabled={busy}>
            {busy ? t('common.saving') : t('common.save')}
          </button>
        </>
      }
    >
      <form id={formId} onSubmit={(event) => void onSubmit(event)}>
        {error !== null && <ErrorMessage>{describeError(error)}</ErrorMessage>}
        <div class="field">
          <label for={`${formId}-name`}>{t('users.displayName')}</label>
          <input id={`${formId}-name`} type="text" required autofocus maxLength={128} value={name} onInput={(event) => setName(event.currentTarget.value)} />
        </div>
        {mayDisable && (
          <Checkbox label={t('users.disabled')} hint={t('users.disabledHint')} checked={disabled} onChange={setDisabled} />
        )}
      </form>
    </Dialog>
  );
}
