// Creates an API token: a name, what it acts as (its creator, or the company
// itself), its scopes and its lifetime. The token is shown once, in the same
// dialog, with a command that uses it; the server keeps only its hash.

import { useId, useState } from 'preact/hooks';
import { api } from '../../api/http.ts';
import type { ApiTokenCreated, ApiTokenView, CreateApiToken, Permission, SignedIn } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { Checkbox } from '../../ui/checkbox.tsx';
import { CopyField } from '../../ui/copy.tsx';
import { FormDialog } from '../../ui/dialog.tsx';
import { TextField, toggled, useSubmit } from '../../ui/form.tsx';
import { DEFAULT_LIFETIME, exampleCommand, grantableScopes, LIFETIMES } from './tokens.ts';

interface Props {
  me: SignedIn;
  onClose(): void;
  onCreated(token: ApiTokenView): void;
}

export function NewApiTokenDialog({ me, onClose, onCreated }: Props) {
  const { t, describeError } = useI18n();
  const formId = useId();
  const [name, setName] = useState('');
  const [companyToken, setCompanyToken] = useState(false);
  const [scopes, setScopes] = useState<ReadonlySet<Permission>>(new Set());
  const [lifetime, setLifetime] = useState(DEFAULT_LIFETIME);
  const [noScope, setNoScope] = useState(false);
  const submission = useSubmit();
  const [created, setCreated] = useState<ApiTokenCreated | null>(null);

  const offered = grantableScopes(me.user.permissions, companyToken);
  // Switching to a company token drops the scopes it can't carry.
  const chosen = offered.filter((permission) => scopes.has(permission));

  const onSubmit = (): void => {
    if (submission.busy) return;
    if (chosen.length === 0) return setNoScope(true);
    setNoScope(false);
    void submission.run(async () => {
      const body: CreateApiToken = { name: name.trim(), scopes: chosen, expires_in_secs: lifetime, company_token: companyToken };
      const result = await api.post<ApiTokenCreated>('/api/api-tokens', body);
      setCreated(result);
      onCreated(result.view);
    });
  };

  let error: string | null = null;
  if (noScope) error = t('apiTokens.noScope');
  else if (submission.error !== null) error = describeError(submission.error);

  return (
    <FormDialog
      id={formId}
      wide
      title={t('apiTokens.createTitle')}
      onClose={onClose}
      onSubmit={onSubmit}
      submitLabel={t('apiTokens.create')}
      busyLabel={t('apiTokens.creating')}
      busy={submission.busy}
      error={error}
      outcome={
        created === null
          ? null
          : {
              title: t('apiTokens.createdTitle', { name: created.view.name }),
              children: (
                <div class="created-secret">
                  <p class="alert alert-warning">{t('apiTokens.once')}</p>
                  <CopyField label={t('apiTokens.token')} text={created.token} copyLabel={t('apiTokens.copyToken')} testId="api-token" />
                  <CopyField
                    label={t('apiTokens.example')}
                    text={exampleCommand(location.origin, created.token)}
                    copyLabel={t('apiTokens.copyExample')}
                    command
                    hint={t('apiTokens.exampleHint')}
                  />
                </div>
              ),
            }
      }
    >
      <div class="form-grid">
        <TextField id={`${formId}-name`} label={t('apiTokens.name')} required autofocus maxLength={64} autocomplete="off" value={name} onInput={setName} />
        <div class="field">
          <label for={`${formId}-lifetime`}>{t('apiTokens.lifetime')}</label>
          <select id={`${formId}-lifetime`} value={lifetime} onChange={(event) => setLifetime(Number(event.currentTarget.value))}>
            {LIFETIMES.map((choice) => (
              <option key={choice.seconds} value={choice.seconds}>
                {t(choice.key)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <fieldset class="choices">
        <legend>{t('apiTokens.actsAs')}</legend>
        <div class="check">
          <input id={`${formId}-as-me`} type="radio" name={`${formId}-as`} checked={!companyToken} onChange={() => setCompanyToken(false)} />
          <div class="check-text">
            <label for={`${formId}-as-me`}>{t('apiTokens.asMe', { email: me.user.email })}</label>
            <small class="hint">{t('apiTokens.asMeHint')}</small>
          </div>
        </div>
        <div class="check">
          <input id={`${formId}-as-company`} type="radio" name={`${formId}-as`} checked={companyToken} onChange={() => setCompanyToken(true)} />
          <div class="check-text">
            <label for={`${formId}-as-company`}>{t('apiTokens.asCompany')}</label>
            <small class="hint">{t('apiTokens.asCompanyHint')}</small>
          </div>
        </div>
      </fieldset>
      <fieldset class="choices" aria-invalid={noScope ? 'true' : undefined}>
        <legend>{t('apiTokens.scopes')}</legend>
        <small class="hint">{t('apiTokens.scopesHint')}</small>
        <div class="scope-list">
          {offered.map((permission) => (
            <Checkbox
              key={permission}
              label={t(`permission.${permission}`)}
              hint={t(`permission.${permission}.hint`)}
              checked={scopes.has(permission)}
              onChange={(on) => setScopes((current) => toggled(current, permission, on))}
            />
          ))}
        </div>
      </fieldset>
    </FormDialog>
  );
}
