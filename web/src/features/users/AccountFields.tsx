// The fields of a new account, shared by adding a user and creating a company with
// its first administrator: e-mail, name, and a password that may be left empty for
// the server to generate one (shown once, in the dialog that asked for it).

import type { NewMemberAccount } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { TextField } from '../../ui/form.tsx';
import { MIN_PASSWORD_LENGTH, passwordTooShort } from '../auth/auth.ts';

export interface AccountInput {
  email: string;
  name: string;
  password: string;
}

export const EMPTY_ACCOUNT: AccountInput = { email: '', name: '', password: '' };

/** A typed password the server would refuse (an empty one is generated). */
export function accountPasswordTooShort(input: AccountInput): boolean {
  return input.password !== '' && passwordTooShort(input.password);
}

/** What the server is sent: trimmed, no password when none was typed. */
export function newAccount(input: AccountInput): NewMemberAccount {
  return { email: input.email.trim(), display_name: input.name.trim(), password: input.password === '' ? null : input.password };
}

interface Props {
  /** The form's id; the fields build theirs from it. */
  id: string;
  value: AccountInput;
  onChange(value: AccountInput): void;
  /** The form's error is that the password is too short. */
  passwordInvalid: boolean;
  /** The e-mail field takes the focus when the dialog opens. */
  autofocus?: boolean;
}

export function AccountFields({ id, value, onChange, passwordInvalid, autofocus }: Props) {
  const { t } = useI18n();
  return (
    <>
      <TextField
        id={`${id}-email`}
        label={t('users.email')}
        type="email"
        required
        autofocus={autofocus}
        autocomplete="off"
        value={value.email}
        onInput={(email) => onChange({ ...value, email })}
      />
      <TextField
        id={`${id}-name`}
        label={t('users.displayName')}
        required
        maxLength={128}
        autocomplete="off"
        value={value.name}
        onInput={(name) => onChange({ ...value, name })}
      />
      <TextField
        id={`${id}-password`}
        label={t('users.password')}
        type="password"
        autocomplete="new-password"
        hint={t('users.passwordHint', { min: MIN_PASSWORD_LENGTH })}
        invalid={passwordInvalid}
        value={value.password}
        onInput={(password) => onChange({ ...value, password })}
      />
    </>
  );
}
