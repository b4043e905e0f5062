// A domain's single sign-on: SAML or OpenID Connect, never both. Both settings
// are loaded to tell which one is configured; that one is chosen and the other
// can't be until it is removed (the server answers `conflict` otherwise). With
// neither configured, the administrator picks one, SAML first.

import { useEffect, useId, useState } from 'preact/hooks';
import { itemPath } from '../../api/http.ts';
import type { OidcSettingsView, SamlSettingsView, SsoDomainView } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { ErrorMessage, Loading } from '../../ui/feedback.tsx';
import { useResource } from '../../ui/resource.ts';
import { OidcSection } from './OidcSection.tsx';
import { SamlSection } from './SamlSection.tsx';
import { configuredProtocol, type SsoProtocol } from './domains.ts';

export function SingleSignOnSection({ domain }: { domain: SsoDomainView }) {
  const { t, describeError } = useI18n();
  const groupId = useId();
  const base = itemPath('/api/sso-domains', domain.id);
  const saml = useResource<SamlSettingsView>(`${base}/saml`);
  const oidc = useResource<OidcSettingsView>(`${base}/oidc`);
  const [choice, setChoice] = useState<SsoProtocol>('saml');

  const configured = saml.data === null || oidc.data === null ? null : configuredProtocol(saml.data, oidc.data);
  // Follow what gets configured (here, or by another administrator on a reload);
  // once it is removed, stay on the same protocol.
  useEffect(() => {
    if (configured !== null) setChoice(configured);
  }, [configured]);

  if (saml.data === null || oidc.data === null) {
    const error = saml.error ?? oidc.error;
    return error !== null ? <ErrorMessage>{describeError(error)}</ErrorMessage> : <Loading label={t('common.loading')} />;
  }
  const shown = configured ?? choice;
  const choose = (protocol: SsoProtocol): void => {
    setChoice(protocol);
    // Exclusions are shared: the other section may have changed them.
    void (protocol === 'saml' ? saml.reload() : oidc.reload());
  };
  const options: { protocol: SsoProtocol; lockedKey: 'sso.protocol.samlLocked' | 'sso.protocol.oidcLocked' }[] = [
    { protocol: 'saml', lockedKey: 'sso.protocol.oidcLocked' },
    { protocol: 'oidc', lockedKey: 'sso.protocol.samlLocked' },
  ];

  return (
    <div class="sso-protocol">
      <fieldset class="choices">
        <legend>{t('sso.protocol')}</legend>
        <div class="radio-row">
          {options.map(({ protocol, lockedKey }) => {
            const locked = configured !== null && configured !== protocol;
            const id = `${groupId}-${protocol}`;
            return (
              <div key={protocol} class="protocol-option">
                <label class="radio" for={id}>
                  <input
                    id={id}
                    type="radio"
                    name={`${groupId}-protocol`}
                    value={protocol}
                    checked={shown === protocol}
                    disabled={locked}
                    aria-describedby={locked ? `${id}-hint` : undefined}
                    onChange={() => choose(protocol)}
                  />
                  {t(`sso.protocol.${protocol}`)}
                </label>
                {locked && (
                  <small id={`${id}-hint`} class="hint">
                    {t(lockedKey)}
                  </small>
                )}
              </div>
            );
          })}
        </div>
      </fieldset>
      {shown === 'saml' ? <SamlSection domain={domain} settings={saml} /> : <OidcSection domain={domain} settings={oidc} />}
    </div>
  );
}
