// Adds a user to the company, optionally with company-wide roles, and shows the
// password the server generated (once) when none was typed.

import { useId, useState } from 'preact/hooks';
import { api } from '../../api/http.ts';
import type { CreateMember, MemberCreated, MemberView, RoleView } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { Checkbox } from '../../ui/checkbox.tsx';
import { GeneratedPassword } from '../../ui/copy.tsx';
import { FormDialog } from '../../ui/dialog.tsx';
import { toggled, useSubmit } from '../../ui/form.tsx';
import { MIN_PASSWORD_LENGTH } from '../auth/auth.ts';
import { roleAbout, roleName, sortRoles } from '../roles/names.ts';
import { AccountFields, accountPasswordTooShort, EMPTY_ACCOUNT, newAccount } from './AccountFields.tsx';

interface Props {
  /** The roles that may be granted at once; null when the user may not manage roles. */
  roles: readonly RoleView[] | null;
  onClose(): void;
  onCreated(member: MemberView): void;
}

export function AddUserDialog({ roles, onClose, onCreated }: Props) {
  const { t, describeError } = useI18n();
  const formId = useId();
  const [account, setAccount] = useState(EMPTY_ACCOUNT);
  const [roleIds, setRoleIds] = useState<ReadonlySet<string>>(new Set());
  const [shortPassword, setShortPassword] = useState(false);
  const submission = useSubmit();
  const [created, setCreated] = useState<MemberCreated | null>(null);

  const onSubmit = (): void => {
    if (submission.busy) return;
    if (accountPasswordTooShort(account)) return setShortPassword(true);
    setShortPassword(false);
    void submission.run(async () => {
      const body: CreateMember = { ...newAccount(account), role_ids: [...roleIds] };
      const result = await api.post<MemberCreated>('/api/users', body);
      setAccount((current) => ({ ...current, password: '' }));
      setCreated(result);
      onCreated(result.member);
    });
  };

  let error: string | null = null;
  if (shortPassword) error = t('users.passwordTooShort', { min: MIN_PASSWORD_LENGTH });
  else if (submission.error !== null) error = describeError(submission.error);

  return (
    <FormDialog
      id={formId}
      title={t('users.addTitle')}
      onClose={onClose}
      onSubmit={onSubmit}
      submitLabel={t('users.create')}
      busyLabel={t('users.creating')}
      busy={submission.busy}
      error={error}
      outcome={
        created === null
          ? null
          : {
              title: t('users.createdTitle'),
              children: (
                <>
                  <p>{t('users.createdBody', { name: created.member.display_name, email: created.member.email })}</p>
                  {created.generated_password !== null && <GeneratedPassword password={created.generated_password} />}
                </>
              ),
            }
      }
    >
      <AccountFields id={formId} value={account} onChange={setAccount} passwordInvalid={shortPassword} autofocus />
      {roles === null ? (
        <p class="hint">{t('users.rolesElsewhere')}</p>
      ) : (
        <fieldset class="choices">
          <legend>{t('users.roles')}</legend>
          {sortRoles(roles).map((role) => (
            <Checkbox
              key={role.id}
              label={roleName(role, t)}
              hint={roleAbout(role, t)}
              checked={roleIds.has(role.id)}
              onChange={(on) => setRoleIds((current) => toggled(current, role.id, on))}
            />
          ))}
          <small class="hint">{t('users.rolesHint')}</small>
        </fieldset>
      )}
    </FormDialog>
  );
}
