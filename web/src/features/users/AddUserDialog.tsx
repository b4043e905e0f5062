// Adds a user to the company, optionally with company-wide roles, and shows the
// password the server generated (once) when none was typed.

import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { api } from '../../api/http.ts';
import type { CreateMember, MemberCreated, MemberView, RoleView } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { Checkbox } from '../../ui/checkbox.tsx';
import { GeneratedPassword } from '../../ui/copy.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { ErrorMessage } from '../../ui/feedback.tsx';
import { MIN_PASSWORD_LENGTH, passwordTooShort } from '../auth/auth.ts';
import { roleAbout, roleName, sortRoles } from '../roles/names.ts';

interface Props {
  /** The roles that may be granted at once; null when the user may not manage roles. */
  roles: readonly RoleView[] | null;
  onClose(): void;
  onCreated(member: MemberView): void;
}

type Problem = { kind: 'password' } | { kind: 'failed'; error: unknown };

export function AddUserDialog({ roles, onClose, onCreated }: Props) {
  const { t, describeError } = useI18n();
  const formId = useId();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [roleIds, setRoleIds] = useState<ReadonlySet<string>>(new Set());
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const doneRef = useRef<HTMLButtonElement>(null);
  const [created, setCreated] = useState<MemberCreated | null>(null);
  useEffect(() => {
    if (created !== null) doneRef.current?.focus();
  }, [created]);

  const toggleRole = (id: string, on: boolean): void => {
    setRoleIds((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  };

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    if (password !== '' && passwordTooShort(password)) {
      setProblem({ kind: 'password' });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const body: CreateMember = {
        email: email.trim(),
        display_name: name.trim(),
        password: password === '' ? null : password,
        role_ids: [...roleIds],
      };
      const result = await api.post<MemberCreated>('/api/users', body);
      setPassword('');
      setCreated(result);
      onCreated(result.member);
    } catch (caught) {
      setProblem({ kind: 'failed', error: caught });
    } finally {
      setBusy(false);
    }
  };

  if (created !== null) {
    // The form and its buttons are gone: the focus goes to Done, next to the secret.
    return (
      <Dialog
        open
        title={t('users.createdTitle')}
        onClose={onClose}
        footer={
          <button type="button" class="button button-primary" ref={doneRef} onClick={onClose}>
            {t('common.done')}
          </button>
        }
      >
        <p>{t('users.createdBody', { name: created.member.display_name, email: created.member.email })}</p>
        {created.generated_password !== null && <GeneratedPassword password={created.generated_password} />}
      </Dialog>
    );
  }

  const problemText =
    problem === null ? null : problem.kind === 'password' ? t('users.passwordTooShort', { min: MIN_PASSWORD_LENGTH }) : describeError(problem.error);

  return (
    <Dialog
      open
      title={t('users.addTitle')}
      onClose={onClose}
      footer={
        <>
          <button type="button" class="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form={formId} class="button button-primary" disabled={busy}>
            {busy ? t('users.creating') : t('users.create')}
          </button>
        </>
      }
    >
      <form id={formId} onSubmit={(event) => void onSubmit(event)}>
        {problemText !== null && <ErrorMessage>{problemText}</ErrorMessage>}
        <div class="field">
          <label for={`${formId}-email`}>{t('users.email')}</label>
          <input id={`${formId}-email`} type="email" required autofocus autocomplete="off" value={email} onInput={(event) => setEmail(event.currentTarget.value)} />
        </div>
        <div class="field">
          <label for={`${formId}-name`}>{t('users.displayName')}</label>
          <input id={`${formId}-name`} type="text" required maxLength={128} autocomplete="off" value={name} onInput={(event) => setName(event.currentTarget.value)} />
        </div>
        <div class="field">
          <label for={`${formId}-password`}>{t('users.password')}</label>
          <input
            id={`${formId}-password`}
            type="password"
            autocomplete="new-password"
            aria-describedby={`${formId}-password-hint`}
            aria-invalid={problem?.kind === 'password' ? 'true' : undefined}
            value={password}
            onInput={(event) => setPassword(event.currentTarget.value)}
          />
          <small id={`${formId}-password-hint`} class="hint">
            {t('users.passwordHint', { min: MIN_PASSWORD_LENGTH })}
          </small>
        </div>
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
                onChange={(on) => toggleRole(role.id, on)}
              />
            ))}
            <small class="hint">{t('users.rolesHint')}</small>
          </fieldset>
        )}
      </form>
    </Dialog>
  );
}
