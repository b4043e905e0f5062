import { Fragment, type ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { isAdministrator, signOut } from '../features/auth/auth.ts';
import { feedStatus } from '../features/live/live.ts';
import { LANGS, useI18n, type Lang } from '../i18n/index.ts';
import type { SignedIn } from '../gen/proto.ts';
import { navigate } from '../router.ts';
import { Dialog } from './dialog.tsx';
import { Link } from './link.tsx';
import { useStore } from './store.ts';

function LanguageSwitcher() {
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

const NAV: { path: string; key: 'nav.devices' | 'nav.enrollment' | 'nav.sessions' | 'nav.events'; adminOnly?: true }[] = [
  { path: '/devices', key: 'nav.devices' },
  { path: '/enrollment', key: 'nav.enrollment' },
  { path: '/sessions', key: 'nav.sessions' },
  { path: '/events', key: 'nav.events', adminOnly: true },
];

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
  path: string;
  onHelp(): void;
  /** The page fills the viewport below the header (the session view). */
  fill?: boolean;
  children: ComponentChildren;
}

/** The header (brand, navigation, language, account) and the page below it. */
export function Shell({ me, path, onHelp, fill = false, children }: ShellProps) {
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
      <a class="skip-link" href="#main">
        {t('header.skipToContent')}
      </a>
      <header class="header">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true" />
          {t('app.name')}
        </div>
        {me !== null && (
          <nav class="nav" aria-label={t('nav.label')}>
            {NAV.filter((item) => item.adminOnly !== true || isAdministrator(me)).map((item) => {
              const current = path === item.path || path.startsWith(`${item.path}/`);
              return (
                <Link key={item.path} to={item.path} class={current ? 'nav-link active' : 'nav-link'} aria-current={current ? 'page' : undefined}>
                  {t(item.key)}
                </Link>
              );
            })}
          </nav>
        )}
        <div class="header-tools">
          {me !== null && <FeedIndicator />}
          <LanguageSwitcher />
          <button type="button" class="icon-button" onClick={onHelp} aria-label={t('help.open')} title={t('help.open')}>
            ?
          </button>
          {me !== null && (
            <>
              <Link
                to="/account"
                class={path === '/account' ? 'user active' : 'user'}
                aria-current={path === '/account' ? 'page' : undefined}
                title={`${t('header.account')} (${me.user.email})`}
              >
                {me.user.display_name}
              </Link>
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

export function HelpDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t } = useI18n();
  const shortcuts: [string[], 'help.filter' | 'help.help' | 'help.endSession' | 'help.closeDialog'][] = [
    [['/'], 'help.filter'],
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
