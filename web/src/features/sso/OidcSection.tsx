// A domain's single sign-on through OpenID Connect: the redirect URI to register
// with the provider, the provider itself (issuer, client id, whether a client
// secret is kept) and the exclusion list, with what is still missing before
// single sign-on is in force. Its settings are loaded by SingleSignOnSection.

import { useState } from 'preact/hooks';
import { api, itemPath } from '../../api/http.ts';
import type { OidcSettingsView, SsoDomainView } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { CopyField } from '../../ui/copy.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { ErrorMessage, Loading } from '../../ui/feedback.tsx';
import type { Resource } from '../../ui/resource.ts';
import { ExclusionsDialog } from './ExclusionsDialog.tsx';
import { ProtocolStatus } from './ProtocolStatus.tsx';
import { exclusionSummary } from './domains.ts';
import { OidcProviderDialog } from './OidcProviderDialog.tsx';

type Open = 'provider' | 'exclusions' | 'remove' | null;

export function OidcSection({ domain, settings }: { domain: SsoDomainView; settings: Resource<OidcSettingsView> }) {
  const { t, describeError } = useI18n();
  const [open, setOpen] = useState<Open>(null);
  const [removeError, setRemoveError] = useState<unknown>(null);

  if (settings.data === null) {
    return settings.error !== null ? <ErrorMessage>{describeError(settings.error)}</ErrorMessage> : <Loading label={t('common.loading')} />;
  }
  const view = settings.data;
  const provider = view.provider;
  const saved = (next: OidcSettingsView): void => {
    settings.update(() => next);
    setOpen(null);
  };
  // Saving exclusions answers with the SAML view: the OIDC one is loaded anew.
  const exclusionsSaved = (): void => {
    setOpen(null);
    void settings.reload();
  };
  const remove = async (): Promise<void> => {
    setRemoveError(null);
    try {
      await api.delete(`${itemPath('/api/sso-domains', domain.id)}/oidc`);
      await settings.reload();
    } catch (caught) {
      setRemoveError(caught);
    } finally {
      setOpen(null);
    }
  };
  const steps = [
    { done: domain.status === 'verified', label: t('saml.step.verified') },
    { done: provider !== null, label: t('oidc.step.provider') },
  ];

  return (
    <section class="saml" aria-label={t('oidc.title')}>
      <ProtocolStatus title={t('oidc.title')} active={view.active} activeLabel={t('oidc.active')} inactiveLabel={t('oidc.inactive')} testId="oidc-state" steps={steps} />
      {removeError !== null && <ErrorMessage>{describeError(removeError)}</ErrorMessage>}

      <details class="sp-details">
        <summary>{t('oidc.forYourProvider')}</summary>
        <div class="form-grid">
          <CopyField label={t('oidc.redirectUri')} text={view.redirect_uri} copyLabel={t('oidc.copyRedirectUri')} testId="oidc-redirect-uri" />
          <CopyField
            label={t('oidc.initiateLoginUri')}
            text={view.initiate_login_uri}
            copyLabel={t('oidc.copyInitiateLoginUri')}
            hint={t('oidc.initiateLoginHint')}
            testId="oidc-initiate-uri"
          />
        </div>
        <p class="hint">{t('oidc.clientHint')}</p>
      </details>

      {provider === null ? (
        <p class="muted">{t('oidc.noProvider')}</p>
      ) : (
        <dl class="facts">
          <dt>{t('oidc.issuer')}</dt>
          <dd class="mono">{provider.issuer}</dd>
          <dt>{t('oidc.clientId')}</dt>
          <dd class="mono">{provider.client_id}</dd>
          <dt>{t('oidc.clientSecret')}</dt>
          <dd data-testid="oidc-secret">{provider.client_secret_set ? t('oidc.secretKept') : t('oidc.secretNone')}</dd>
          <dt>{t('saml.exclusions')}</dt>
          <dd>{exclusionSummary(view.excluded_emails, view.excluded_group_ids.length, (count) => t('sso.excludedGroupsCount', { count })) || t('saml.noExclusions')}</dd>
        </dl>
      )}
      <div class="domain-actions">
        <button type="button" class="button button-small" onClick={() => setOpen('provider')}>
          {provider === null ? t('oidc.configure') : t('oidc.change')}
        </button>
        {provider !== null && (
          <>
            <button type="button" class="button button-small" onClick={() => setOpen('exclusions')}>
              {t('saml.editExclusions')}
            </button>
            <button type="button" class="button button-small button-danger" onClick={() => setOpen('remove')}>
              {t('oidc.remove')}
            </button>
          </>
        )}
      </div>

      {open === 'provider' && <OidcProviderDialog domain={domain} current={provider} onClose={() => setOpen(null)} onSaved={saved} />}
      {open === 'exclusions' && <ExclusionsDialog domain={domain} emails={view.excluded_emails} groupIds={view.excluded_group_ids} onClose={() => setOpen(null)} onSaved={exclusionsSaved} />}
      <ConfirmDialog
        open={open === 'remove'}
        title={t('oidc.removeTitle')}
        message={t('oidc.removeBody', { domain: domain.domain })}
        confirmLabel={t('oidc.remove')}
        onConfirm={() => void remove()}
        onCancel={() => setOpen(null)}
      />
    </section>
  );
}
