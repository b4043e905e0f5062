// The sections of the Company entry: its settings, its single sign-on domains and its
// API tokens, each shown only to those whose roles cover it.

import type { Permission, SignedIn } from '../../gen/proto.ts';
import { useI18n, type MessageKey } from '../../i18n/index.ts';
import { Link } from '../../ui/link.tsx';
import { can } from '../auth/auth.ts';

export type CompanySection = 'settings' | 'sso' | 'api-tokens';

interface Tab {
  id: CompanySection;
  to: string;
  label: MessageKey;
  needs: Permission;
}

const TABS: readonly Tab[] = [
  { id: 'settings', to: '/company', label: 'company.tab.settings', needs: 'company.manage' },
  { id: 'sso', to: '/sso', label: 'company.tab.sso', needs: 'sso.manage' },
  { id: 'api-tokens', to: '/api-tokens', label: 'company.tab.apiTokens', needs: 'api_tokens.manage' },
];

/** Whether `me` may open single sign-on: company-wide, or as the owner of a domain. */
export function mayManageSso(me: SignedIn): boolean {
  return can(me, 'sso.manage') || me.user.owns_sso_domains;
}

/** The Company sections `me` may open, in tab order; the first is where its entry leads. */
export function companySections(me: SignedIn): Tab[] {
  return TABS.filter((tab) => (tab.id === 'sso' ? mayManageSso(me) : can(me, tab.needs)));
}

export function CompanyTabs({ me, current }: { me: SignedIn; current: CompanySection }) {
  const { t } = useI18n();
  const open = companySections(me);
  // One view needs no tabs.
  if (open.length < 2) return null;
  return (
    <nav class="tabs" aria-label={t('company.tabs')}>
      {open.map((tab) => (
        <Link key={tab.id} to={tab.to} class={tab.id === current ? 'tab active' : 'tab'} aria-current={tab.id === current ? 'page' : undefined}>
          {t(tab.label)}
        </Link>
      ))}
    </nav>
  );
}
