// A domain's single sign-on through SAML: what to give the identity provider,
// the identity provider itself, the customer identifier and the exclusion list,
// with what is still missing before single sign-on is in force. Its settings
// are loaded by SingleSignOnSection, which needs them to choose the protocol.

import { useState } from 'preact/hooks';
import { api, itemPath } from '../../api/http.ts';
import type { SamlSettingsView, SsoDomainView } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { CopyField } from '../../ui/copy.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { ErrorMessage, Loading } from '../../ui/feedback.tsx';
import type { Resource } from '../../ui/resource.ts';
import { CustomerIdentifierDialog } from './CustomerIdentifierDialog.tsx';
import { ExclusionsDialog } from './ExclusionsDialog.tsx';
import { ProtocolStatus } from './ProtocolStatus.tsx';
import { exclusionSummary } from './domains.ts';
import { IdentityProviderDialog } from './IdentityProviderDialog.tsx';

type Open = 'provider' | 'customer' | 'exclusions' | 'remove' | null;

export function SamlSection({ domain, settings }: { domain: SsoDomainView; settings: Resource<SamlSettingsView> }) {
  const { t, describeError } = useI18n();
  const [open, setOpen] = useState<Open>(null);
  const [removeError, setRemoveError] = useState<unknown>(null);

  if (settings.data === null) {
    return settings.error !== null ? <ErrorMessage>{describeError(settings.error)}</ErrorMessage> : <Loading label={t('common.loading')} />;
  }
  const view = settings.data;
  const provider = view.identity_provider;
  const saved = (next: SamlSettingsView): void => {
    settings.update(() => next);
    setOpen(null);
  };
  const remove = async (): Promise<void> => {
    setRemoveError(null);
    try {
      await api.delete(`${itemPath('/api/sso-domains', domain.id)}/saml`);
      await settings.reload();
    } catch (caught) {
      setRemoveError(caught);
    } finally {
      setOpen(null);
    }
  };
  const steps = [
    { done: domain.status === 'verified', label: t('saml.step.verified') },
    { done: provider !== null, label: t('saml.step.provider') },
    { done: provider?.customer_identifier_set ?? false, label: t('saml.step.customer') },
  ];

  return (
    <section class="saml" aria-label={t('saml.title')}>
      <ProtocolStatus title={t('saml.title')} active={view.active} activeLabel={t('saml.active')} inactiveLabel={t('saml.inactive')} testId="saml-state" steps={steps} />
      {removeError !== null && <ErrorMessage>{describeError(removeError)}</ErrorMessage>}

      <details class="sp-details">
        <summary>{t('saml.forYourIdp')}</summary>
        <div class="form-grid">
          <CopyField label={t('saml.spEntityId')} text={view.service_provider.entity_id} copyLabel={t('saml.copySpEntityId')} />
          <CopyField label={t('saml.acsUrl')} text={view.service_provider.acs_url} copyLabel={t('saml.copyAcsUrl')} />
        </div>
        <p class="hint">{t('saml.spHint')}</p>
        <a class="button button-small" href={view.service_provider.metadata_url} download="reach-sp-metadata.xml">
          {t('saml.downloadMetadata')}
        </a>
      </details>

      {provider === null ? (
        <p class="muted">{t('saml.noProvider')}</p>
      ) : (
        <dl class="facts">
          {provider.metadata_url !== null && (
            <>
              <dt>{t('saml.metadataUrl')}</dt>
              <dd class="mono">{provider.metadata_url}</dd>
            </>
          )}
          <dt>{t('saml.entityId')}</dt>
          <dd class="mono">{provider.entity_id}</dd>
          <dt>{t('saml.ssoUrl')}</dt>
          <dd>
            <span class="mono">{provider.sso_url}</span> ({t(`saml.binding.${provider.binding}`)})
          </dd>
          <dt>{t('saml.certificates')}</dt>
          <dd class="mono">
            {provider.certificates.map((certificate) => (
              <div key={certificate.sha256}>{certificate.sha256}</div>
            ))}
          </dd>
          <dt>{t('saml.exclusions')}</dt>
          <dd>{exclusionSummary(view.excluded_emails, view.excluded_group_ids.length, (count) => t('sso.excludedGroupsCount', { count })) || t('saml.noExclusions')}</dd>
        </dl>
      )}
      <div class="domain-actions">
        <button type="button" class="button button-small" onClick={() => setOpen('provider')}>
          {provider === null ? t('saml.configure') : t('saml.change')}
        </button>
        {provider !== null && (
          <>
            <button type="button" class="button button-small" onClick={() => setOpen('customer')}>
              {provider.customer_identifier_set ? t('saml.regenerate') : t('saml.generateCustomer')}
            </button>
            <button type="button" class="button button-small" onClick={() => setOpen('exclusions')}>
              {t('saml.editExclusions')}
            </button>
            <button type="button" class="button button-small button-danger" onClick={() => setOpen('remove')}>
              {t('saml.remove')}
            </button>
          </>
        )}
      </div>

      {open === 'provider' && <IdentityProviderDialog domain={domain} onClose={() => setOpen(null)} onSaved={saved} />}
      {open === 'customer' && (
        <CustomerIdentifierDialog
          domain={domain}
          replacing={provider?.customer_identifier_set ?? false}
          onClose={() => setOpen(null)}
          onGenerated={() => void settings.reload()}
        />
      )}
      {open === 'exclusions' && <ExclusionsDialog domain={domain} emails={view.excluded_emails} groupIds={view.excluded_group_ids} onClose={() => setOpen(null)} onSaved={saved} />}
      <ConfirmDialog
        open={open === 'remove'}
        title={t('saml.removeTitle')}
        message={t('saml.removeBody', { domain: domain.domain })}
        confirmLabel={t('saml.remove')}
        onConfirm={() => void remove()}
        onCancel={() => setOpen(null)}
      />
    </section>
  );
}
