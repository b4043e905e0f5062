// Sets a domain's OpenID Connect provider: its issuer (the server reads its
// discovery document before saving), the client id and, for a confidential
// client, the client secret. The secret is never shown again: when one is kept,
// an empty field keeps it; without one, Reach is a public client (PKCE only).

import { useId, useState } from 'preact/hooks';
import { api, itemPath, RequestError } from '../../api/http.ts';
import type { OidcProviderInput, OidcProviderView, OidcSettingsView, SsoDomainView } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { FormDialog } from '../../ui/dialog.tsx';
import { TextField, useSubmit } from '../../ui/form.tsx';

interface Props {
  domain: SsoDomainView;
  /** The provider being changed; null when setting one up. */
  current: OidcProviderView | null;
  onClose(): void;
  onSaved(settings: OidcSettingsView): void;
}

export function OidcProviderDialog({ domain, current, onClose, onSaved }: Props) {
  const { t, describeError } = useI18n();
  const formId = useId();
  const [issuer, setIssuer] = useState(current?.issuer ?? '');
  const [clientId, setClientId] = useState(current?.client_id ?? '');
  const [clientSecret, setClientSecret] = useState('');
  const submission = useSubmit();
  const secretKept = current?.client_secret_set ?? false;

  const onSubmit = (): void => {
    const body: OidcProviderInput = { issuer: issuer.trim(), client_id: clientId.trim() };
    // Left out, the server keeps the current secret (or, without one, stays a public client).
    const secret = clientSecret.trim();
    if (secret !== '') body.client_secret = secret;
    void submission.run(async () => {
      onSaved(await api.put<OidcSettingsView>(`${itemPath('/api/sso-domains', domain.id)}/oidc`, body));
    });
  };

  let error: string | null = null;
  if (submission.error !== null) {
    error = describeError(submission.error);
    // Why the provider can't be used (its discovery document could not be read…) is the server's to say.
    const failure = submission.error;
    if (failure instanceof RequestError && failure.code === 'invalid_identity_provider' && failure.message.trim() !== '') {
      error = `${error} ${t('oidc.reason', { reason: failure.message.trim() })}`;
    }
  }

  return (
    <FormDialog
      id={formId}
      title={t('oidc.dialogTitle')}
      onClose={onClose}
      onSubmit={onSubmit}
      submitLabel={t('common.save')}
      busyLabel={t('common.saving')}
      busy={submission.busy}
      error={error}
    >
      <TextField
        id={`${formId}-issuer`}
        type="url"
        label={t('oidc.issuer')}
        required
        autofocus
        autocomplete="off"
        placeholder="https://login.example.com"
        hint={t('oidc.issuerHint')}
        value={issuer}
        onInput={setIssuer}
      />
      <TextField id={`${formId}-client-id`} label={t('oidc.clientId')} required autocomplete="off" value={clientId} onInput={setClientId} />
      <TextField
        id={`${formId}-client-secret`}
        type="password"
        label={t('oidc.clientSecret')}
        autocomplete="off"
        hint={secretKept ? t('oidc.secretKeepHint') : t('oidc.secretPublicHint')}
        value={clientSecret}
        onInput={setClientSecret}
      />
    </FormDialog>
  );
}
