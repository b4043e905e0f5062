// The signed-in user's company settings: two-factor enforcement, whether members
// may sign in with a password, accounts made on first single sign-on, and whether
// only members may be helped with a session key (tenant-only help).

import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/http.ts';
import type { CompanySettingsView, CompanyView, SignedIn } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { Checkbox } from '../../ui/checkbox.tsx';
import { ErrorMessage, Loading, Notice } from '../../ui/feedback.tsx';
import { PageHeader } from '../../ui/page.tsx';
import { useResource } from '../../ui/resource.ts';
import { loadMe } from '../auth/auth.ts';
import { CompanyTabs } from './CompanyTabs.tsx';

type Outcome = { kind: 'saved' } | { kind: 'failed'; error: unknown };

export function CompanyPage({ me }: { me: SignedIn }) {
  const { t, describeError } = useI18n();
  const company = useResource<CompanyView>('/api/company');
  const [settings, setSettings] = useState<CompanySettingsView | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  // The form starts from what the server holds, and again after each save.
  useEffect(() => {
    if (company.data !== null) setSettings(company.data.settings);
  }, [company.data]);

  const change = (patch: Partial<CompanySettingsView>): void => {
    setSettings((current) => (current === null ? null : { ...current, ...patch }));
    setOutcome(null);
  };

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy || settings === null) return;
    setBusy(true);
    setOutcome(null);
    try {
      // The body is exactly the settings view: the server refuses unknown fields.
      const body: CompanySettingsView = {
        require_two_factor: settings.require_two_factor,
        password_sign_in: settings.password_sign_in,
        just_in_time: settings.just_in_time,
        tenant_only: settings.tenant_only,
      };
      const saved = await api.put<CompanyView>('/api/company/settings', body);
      company.update(() => saved);
      setOutcome({ kind: 'saved' });
      // Requiring what one lacks closes the console to oneself at once: the profile
      // now says so, and the console shows the setup (app.tsx). Should this read
      // fail, the next refused request leads there all the same.
      if (saved.settings.require_two_factor && !me.user.two_factor_enabled) await loadMe().catch(() => undefined);
    } catch (caught) {
      setOutcome({ kind: 'failed', error: caught });
    } finally {
      setBusy(false);
    }
  };

  if (company.data === null || settings === null) {
    return (
      <section class="page">
        <PageHeader title={t('company.title')} />
        <CompanyTabs me={me} current="settings" />
        {company.error !== null ? <ErrorMessage>{describeError(company.error)}</ErrorMessage> : <Loading label={t('common.loading')} />}
      </section>
    );
  }

  return (
    <section class="page">
      <PageHeader title={t('company.title')} subtitle={t('company.subtitle', { name: company.data.name })} />
      <CompanyTabs me={me} current="settings" />
      <form class="card settings-form" onSubmit={(event) => void onSubmit(event)} aria-labelledby="company-sign-in-title">
        <h2 id="company-sign-in-title">{t('company.signIn')}</h2>
        {outcome?.kind === 'saved' && <Notice>{t('company.saved')}</Notice>}
        {outcome?.kind === 'failed' && <ErrorMessage>{describeError(outcome.error)}</ErrorMessage>}
        <Checkbox
          label={t('company.requireTwoFactor')}
          hint={t('company.requireTwoFactorHint')}
          checked={settings.require_two_factor}
          onChange={(on) => change({ require_two_factor: on })}
        />
        {settings.require_two_factor && !company.data.settings.require_two_factor && !me.user.two_factor_enabled && (
          <p class="alert alert-warning" role="status" data-testid="self-two-factor-warning">
            {t('company.selfTwoFactorWarning')}
          </p>
        )}
        <Checkbox
          label={t('company.passwordSignIn')}
          hint={t('company.passwordSignInHint')}
          checked={settings.password_sign_in}
          onChange={(on) => change({ password_sign_in: on })}
        />
        {/* Without passwords, only addresses under single sign-on (and the owner) can sign in. */}
        {!settings.password_sign_in && (
          <p class="alert alert-warning" role="status">
            {t('company.noSsoWarning')}
          </p>
        )}
        <Checkbox
          label={t('company.justInTime')}
          hint={t('company.justInTimeHint')}
          checked={settings.just_in_time}
          onChange={(on) => change({ just_in_time: on })}
        />
        <Checkbox
          label={t('company.tenantOnly')}
          hint={t('company.tenantOnlyHint')}
          checked={settings.tenant_only}
          onChange={(on) => change({ tenant_only: on })}
        />
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? t('common.saving') : t('common.save')}
        </button>
      </form>
    </section>
  );
}
