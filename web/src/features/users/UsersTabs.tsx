// The two views of the Users entry: the users themselves and their groups.

import { useI18n } from '../../i18n/index.ts';
import { Link } from '../../ui/link.tsx';

export function UsersTabs({ current }: { current: 'users' | 'groups' }) {
  const { t } = useI18n();
  const tabs = [
    { id: 'users', to: '/users', label: t('users.title') },
    { id: 'groups', to: '/groups', label: t('groups.title') },
  ] as const;
  return (
    <nav class="tabs" aria-label={t('users.tabs')}>
      {tabs.map((tab) => (
        <Link key={tab.id} to={tab.to} class={tab.id === current ? 'tab active' : 'tab'} aria-current={tab.id === current ? 'page' : undefined}>
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
