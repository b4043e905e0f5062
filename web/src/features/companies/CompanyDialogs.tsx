// Operators' dialogs: a new company with its first administrator (whose generated
// password is shown once), and renaming a company.

import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { api, itemPath } from '../../api/http.ts';
import type { CompanyCreated, CompanyView, CreateCompany, RenameCompany } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { GeneratedPassword } from '../../ui/copy.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { ErrorMessage } from '../../ui/feedback.tsx';
import { MIN_PASSWORD_LENGTH, passwordTooShort } from '../auth/auth.ts';

type Problem = { kind: 'password' } | { kind: 'failed'; error: unknown };

export function NewCompanyDialog({ onClose, onCreated }: { onClose(): void; onCreated(company: CompanyView): void }) {
  const { t, describeError } = useI18n();
  const formId = useId();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [adminName, setAdminName] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const doneRef = useRef<HTMLButtonElement>(null);
  const [created, setCreated] = useState<CompanyCreated | null>(null);
  useEffect(() => {
    if (created !== null) doneRef.current?.focus();
  }, [created]);

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    if (password !== '' && passwordTooShort(password)) return setProblem({ kind: 'password' });
    setBusy(true);
    setProblem(null);
    try {
      const body: CreateCompany = {
        name: name.trim(),
        administrator: { email: email.trim(), display_name: adminName.trim(), password: password === '' ? null : password },
      };
      const result = await api.post<CompanyCreated>('/api/companies', body);
      setPassword('');
      setCreated(result);
      onCreated(result.company);
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
        title={t('companies.createdTitle')}
        onClose={onClose}
        footer={
          <button type="button" class="button button-primary" ref={doneRef} onClick={onClose}>
            {t('common.done')}
          </button>
        }
      >
        <p>{t('companies.createdBody', { company: created.company.name, email: created.administrator.email })}</p>
        {created.generated_password !== null && <GeneratedPassword password={created.generated_password} />}
      </Dialog>
    );
  }

  const problemText =
    problem === null ? null : problem.kind === 'password' ? t('users.passwordTooShort', { min: MIN_PASSWORD_LENGTH }) : describeError(problem.error);
  const field = (suffix: string) => `${formId}-${suffix}`;
  return (
    <Dialog
      open
      title={t('companies.createTitle')}
      onClose={onClose}
      footer={
        <>
          <button type="button" class="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form={formId} class="button button-primary" disabled={busy}>
            {busy ? t('companies.creating') : t('companies.create')}
          </button>
        </>
      }
    >
      <form id={formId} onSubmit={(event) => void onSubmit(event)}>
        {problemText !== null && <ErrorMessage>{problemText}</ErrorMessage>}
        <div class="field">
          <label for={field('name')}>{t('companies.name')}</label>
          <input id={field('name')} type="text" required autofocus maxLength={128} value={name} onInput={(event) => setName(event.currentTarget.value)} />
        </div>
        <fieldset class="choices" aria-describedby={field('admin-hint')}>
          <legend>{t('companies.administrator')}</legend>
          <small id={field('admin-hint')} class="hint">
            {t('companies.administratorHint')}
          </small>
          <div class="field">
            <label for={field('email')}>{t('users.email')}</label>
            <input id={field('email')} type="email" required autocomplete="off" value={email} onInput={(event) => setEmail(event.currentTarget.value)} />
          </div>
          <div class="field">
            <label for={field('admin-name')}>{t('users.displayName')}</label>
            <input id={field('admin-name')} type="text" required maxLength={128} autocomplete="off" value={adminName} onInput={(event) => setAdminName(event.currentTarget.value)} />
          </div>
          <div class="field">
            <label for={field('password')}>{t('users.password')}</label>
            <input
              id={field('password')}
              type="password"
              autocomplete="new-password"
              aria-describedby={field('password-hint')}
              aria-invalid={problem?.kind === 'password' ? 'true' : undefined}
              value={password}
              onInput={(event) => setPassword(event.currentTarget.value)}
            />
            <small id={field('password-hint')} class="hint">
              {t('users.passwordHint', { min: MIN_PASSWORD_LENGTH })}
            </small>
          </div>
        </fieldset>
      </form>
    </Dialog>
  );
}

export function RenameCompanyDialog({ company, onClose, onRenamed }: { company: CompanyView; onClose(): void; onRenamed(company: CompanyView): void }) {
  const { t, describeError } = useI18n();
  const formId = useId();
  const [name, setName] = useState(company.name);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const body: RenameCompany = { name: name.trim() };
      onRenamed(await api.patch<CompanyView>(itemPath('/api/companies', company.id), body));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      title={t('companies.renameTitle', { name: company.name })}
      onClose={onClose}
      footer={
        <>
          <button type="button" class="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form={formId} class="button button-primary" disabled={busy}>
            {busy ? t('common.saving') : t('companies.rename')}
          </button>
        </>
      }
    >
      <form id={formId} onSubmit={(event) => void onSubmit(event)}>
        {error !== null && <ErrorMessage>{describeError(error)}</ErrorMessage>}
        <div class="field">
          <label for={`${formId}-name`}>{t('companies.name')}</label>
          <input id={`${formId}-name`} type="text" required autofocus maxLength={128} value={name} onInput={(event) => setName(event.currentTarget.value)} />
        </div>
      </form>
    </Dialog>
  );
}
