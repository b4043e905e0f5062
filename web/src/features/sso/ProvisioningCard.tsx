// Where an identity provider provisions the company's users and groups (SCIM
// 2.0), and with which credential: a company API token with the single sign-on
// and provisioning permission, made on the API tokens tab.

import type { SignedIn } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { CopyField } from '../../ui/copy.tsx';
import { Link } from '../../ui/link.tsx';
import { can } from '../auth/auth.ts';

export function ProvisioningCard({ me }: { me: SignedIn }) {
  const { t } = useI18n();
  return (
    <section class="card provisioning" aria-labelledby="provisioning-title">
      <h2 id="provisioning-title">{t('scim.title')}</h2>
      <p class="hint">{t('scim.body')}</p>
      <CopyField label={t('scim.baseUrl')} text={`${location.origin}/scim/v2`} copyLabel={t('scim.copyBaseUrl')} testId="scim-base-url" />
      <p class="hint">
        {t('scim.tokenHint')}{' '}
        {can(me, 'api_tokens.manage') && <Link to="/api-tokens">{t('scim.tokensLink')}</Link>}
      </p>
    </section>
  );
}
