import { Fragment, type ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { can, isOperator, signOut } from '../features/auth/auth.ts';
import { companySections } from '../features/company/CompanyTabs.tsx';
import { feedStatus } from '../features/live/live.ts';
import { LANGS, useI18n, type Lang, type MessageKey } from '../i18n/index.ts';
import type { SignedIn } from '../gen/proto.ts';
import { navigate } from '../router.ts';
import { Dialog } from './dialog.tsx';
import { Link } from './link.tsx';
import { useStore } from './store.ts';

export function LanguageSwitcher() {
  const { t, lang, setLang } = useI18n();
  return (
    <label class="lang-switcher">
      <span class="visually-hidden">{t('header.language')}</span>
      <select
        value={lang}
        onChange={(event) => setLang(event.currentTarget.value as Lang)}
        aria-label={t('header.language')}
      >
        {LANGS.map((code) => (
          <option key={code} value={code}>
            {t(`lang.${code}`)}
          </option>
        ))}
      </select>
    </label>
  );
}

interface NavItem {
  path: string;
  key: MessageKey;
  /** Whether the signed-in user may use the page; every user when left out. */
  allowed?: (me: SignedIn) => boolean;
  /** Other paths that belong to the same entry (tabs of its page). */
  also?: string[];
  /** Where the entry leads, when that depends on the user; `path` when left out. */
  to?: (me: SignedIn) => string;
}

/**
 * The pages in the header, each shown only to users whose roles cover it. The pages
 * check the same rule again, since an address can be typed in.
 */
export const NAV: readonly NavItem[] = [
  { path: '/devices', key: 'nav.devices' },
  { path: '/enrollment', key: 'nav.enrollment', allowed: (me) => can(me, 'devices.manage') },
  { path: '/sessions', key: 'nav.sessions' },
  { path: '/events', key: 'nav.events', allowed: (me) => can(me, 'event_log.view') },
  { path: '/users', key: 'nav.users', allowed: (me) => can(me, 'users.manage'), also: ['/groups'] },
  { path: '/roles', key: 'nav.roles', allowed: (me) => can(me, 'roles.manage') },
  {
    path: '/company',
    key: 'nav.company',
    allowed: (me) => companySections(me).length > 0,
    also: ['/sso', '/api-tokens'],
    to: (me) => companySections(me)[0]?.to ?? '/company',
  },
  { path: '/companies', key: 'nav.companies', allowed: isOperator },
];

function isCurrent(item: NavItem, path: string): boolean {
  return [item.path, ...(item.also ?? [])].some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

function FeedIndicator() {
  const { t } = useI18n();
  const status = useStore(feedStatus);
  return (
    <span class={`feed feed-${status}`} role="status" title={t(`feed.${status}.hint`)}>
      <span class="feed-dot" aria-hidden="true" />
      {t(`feed.${status}`)}
    </span>
  );
}

interface ShellProps {
  me: SignedIn | null;
  /** Only the two-factor setup is open to the user: no navigation, no live feed, no account link. */
  restricted?: boolean;
  path: string;
  onHelp(): void;
  /** The page fills the viewport below the header (the session view). */
  fill?: boolean;
  children: ComponentChildren;
}

/** The link keyboard users take past the header to the page. */
export function SkipLink() {
  const { t } = useI18n();
  return (
    <a class="skip-link" href="#main">
      {t('header.skipToContent')}
    </a>
  );
}

/** The product's mark and name, first in every header. */
export function Brand() {
  const { t } = useI18n();
  return (
    <div class="brand">
      <span class="brand-mark" aria-hidden="true" />
      {t('app.name')}
    </div>
  );
}

/** The header (brand, navigation, language, account) and the page below it. */
export function Shell({ me, restricted = false, path, onHelp, fill = false, children }: ShellProps) {
  const { t } = useI18n();
  const [signingOut, setSigningOut] = useState(false);
  const onSignOut = async (): Promise<void> => {
    setSigningOut(true);
    try {
      await signOut();
    } finally {
      setSigningOut(false);
      navigate('/login');
    }
  };
  return (
    <div class={fill ? 'shell shell-fill' : 'shell'}>
      <SkipLink />
      <header class="header">
        <Brand />
        {me !== null && !restricted && (
          <nav class="nav" aria-label={t('nav.label')}>
            {NAV.filter((item) => item.allowed?.(me) ?? true).map((item) => {
              const current = isCurrent(item, path);
              return (
                <Link key={item.path} to={item.to?.(me) ?? item.path} class={current ? 'nav-link active' : 'nav-link'} aria-current={current ? 'page' : undefined}>
                  {t(item.key)}
                </Link>
              );
            })}
          </nav>
        )}
        <div class="header-tools">
          {me !== null && !restricted && <FeedIndicator />}
          <LanguageSwitcher />
          <button type="button" class="icon-button" onClick={onHelp} aria-label={t('help.open')} title={t('help.open')}>
            ?
          </button>
          {me !== null && (
            <>
              {restricted ? (
                <span class="user" title={me.user.email}>
                  {me.user.display_name}
                </span>
              ) : (
                <Link
                  to="/account"
                  class={path === '/account' ? 'user active' : 'user'}
                  aria-current={path === '/account' ? 'page' : undefined}
                  title={`${t('header.account')} (${me.user.email})`}
                >
                  {me.user.display_name}
                </Link>
              )}
              <button type="button" class="button button-ghost" onClick={() => void onSignOut()} disabled={signingOut}>
                {t('header.signOut')}
              </button>
            </>
          )}
        </div>
      </header>
      <main id="main" class={fill ? 'main main-fill' : 'main'} tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

/** The console's keyboard shortcuts; `invite` adds the one for users who may invite an end user. */
export function HelpDialog({ open, onClose, invite = false }: { open: boolean; onClose(): void; invite?: boolean }) {
  const { t } = useI18n();
  const shortcuts: [string[], 'help.filter' | 'help.invite' | 'help.help' | 'help.endSession' | 'help.closeDialog'][] = [
    [['/'], 'help.filter'],
    ...(invite ? [[['I'], 'help.invite'] as [string[], 'help.invite']] : []),
    [['?'], 'help.help'],
    [['Ctrl', 'Alt', 'Shift', 'E'], 'help.endSession'],
    [['Esc'], 'help.closeDialog'],
  ];
  return (
    <Dialog open={open} title={t('help.title')} onClose={onClose} footer={<button type="button" class="button" onClick={onClose}>{t('common.close')}</button>}>
      <table class="shortcuts">
        <tbody>
          {shortcuts.map(([keys, key]) => (
            <tr key={key}>
              <th scope="row">
                {keys.map((name, index) => (
                  <Fragment key={name}>
                    {index > 0 && ' + '}
                    <kbd>{name}</kbd>
                  </Fragment>
                ))}
              </th>
              <td>{t(key)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="hint">{t('help.forwarding')}</p>
    </Dialog>
  );
}
