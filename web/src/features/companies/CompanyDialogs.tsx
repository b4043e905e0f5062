// Operators' dialogs: a new company with its first administrator (whose generated
// password is shown once), and renaming a company.

import { useId, useState } from 'preact/hooks';
import { api, itemPath } from '../../api/http.ts';
import type { CompanyCreated, CompanyView, CreateCompany, RenameCompany } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { GeneratedPassword } from '../../ui/copy.tsx';
import { FormDialog } from '../../ui/dialog.tsx';
import { TextField, useSubmit } from '../../ui/form.tsx';
import { MIN_PASSWORD_LENGTH } from '../auth/auth.ts';
import { AccountFields, accountPasswordTooShort, EMPTY_ACCOUNT, newAccount } from '../users/AccountFields.tsx';

export function NewCompanyDialog({ onClose, onCreated }: { onClose(): void; onCreated(company: CompanyView): void }) {
  const { t, describeError } = useI18n();
  const formId = useId();
  const [name, setName] = useState('');
  const [account, setAccount] = useState(EMPTY_ACCOUNT);
  const [shortPassword, setShortPassword] = useState(false);
  const submission = useSubmit();
  const [created, setCreated] = useState<CompanyCreated | null>(null);

  const onSubmit = (): void => {
    if (submission.busy) return;
    if (accountPasswordTooShort(account)) return setShortPassword(true);
    setShortPassword(false);
    void submission.run(async () => {
      const body: CreateCompany = { name: name.trim(), administrator: newAccount(account) };
      const result = await api.post<CompanyCreated>('/api/companies', body);
      setAccount((current) => ({ ...current, password: '' }));
      setCreated(result);
      onCreated(result.company);
    });
  };

  let error: string | null = null;
  if (shortPassword) error = t('users.passwordTooShort', { min: MIN_PASSWORD_LENGTH });
  else if (submission.error !== null) error = describeError(submission.error);

  return (
    <FormDialog
      id={formId}
      title={t('companies.createTitle')}
      onClose={onClose}
      onSubmit={onSubmit}
      submitLabel={t('companies.create')}
      busyLabel={t('companies.creating')}
      busy={submission.busy}
      error={error}
      outcome={
        created === null
          ? null
          : {
              title: t('companies.createdTitle'),
              children: (
                <>
                  <p>{t('companies.createdBody', { company: created.company.name, email: created.administrator.email })}</p>
                  {created.generated_password !== null && <GeneratedPassword password={created.generated_password} />}
                </>
              ),
            }
      }
    >
      <TextField id={`${formId}-name`} label={t('companies.name')} required autofocus maxLength={128} value={name} onInput={setName} />
      <fieldset class="choices" aria-describedby={`${formId}-admin-hint`}>
        <legend>{t('companies.administrator')}</legend>
        <small id={`${formId}-admin-hint`} class="hint">
          {t('companies.administratorHint')}
        </small>
        <AccountFields id={`${formId}-admin`} value={account} onChange={setAccount} passwordInvalid={shortPassword} />
      </fieldset>
    </FormDialog>
  );
}

export function RenameCompanyDialog({ company, onClose, onRenamed }: { company: CompanyView; onClose(): void; onRenamed(company: CompanyView): void }) {
  const { t, describeError } = useI18n();
  const formId = useId();
  const [name, setName] = useState(company.name);
  const submission = useSubmit();

  const onSubmit = (): void => {
    void submission.run(async () => {
      const body: RenameCompany = { name: name.trim() };
      onRenamed(await api.patch<CompanyView>(itemPath('/api/companies', company.id), body));
    });
  };

  return (
    <FormDialog
      id={formId}
      title={t('companies.renameTitle', { name: company.name })}
      onClose={onClose}
      onSubmit={onSubmit}
      submitLabel={t('companies.rename')}
      busyLabel={t('common.saving')}
      busy={submission.busy}
      error={submission.error === null ? null : describeError(submission.error)}
    >
      <TextField id={`${formId}-name`} label={t('companies.name')} required autofocus maxLength={128} value={name} onInput={setName} />
    </FormDialog>
  );
}
