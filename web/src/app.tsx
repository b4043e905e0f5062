// The console's root: language, sign-in state, routing and global shortcuts.

import type { JSX } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { AccountPage } from './features/account/AccountPage.tsx';
import { ApiTokensPage } from './features/api-tokens/ApiTokensPage.tsx';
import { InviteDialog, INVITE_SHORTCUT, mayInvite, openInvite } from './features/attended/InviteDialog.tsx';
import { PortalLayout, PortalPage } from './features/attended/PortalPage.tsx';
import { EVENT_FILTER_ID, EventLogPage } from './features/audit/EventLogPage.tsx';
import { authStore, can, isOperator, loadMe } from './features/auth/auth.ts';
import { LoginPage } from './features/auth/LoginPage.tsx';
import { safeNext, takeRememberedNext } from './features/auth/next.ts';
import { SetupPage } from './features/auth/SetupPage.tsx';
import { CompaniesPage } from './features/companies/CompaniesPage.tsx';
import { CompanyPage } from './features/company/CompanyPage.tsx';
import { mayManageSso } from './features/company/CompanyTabs.tsx';
import { DEVICE_FILTER_ID, DevicesPage } from './features/devices/DevicesPage.tsx';
import { EnrollmentPage } from './features/enrollment/EnrollmentPage.tsx';
import { startLive, stopLive } from './features/live/live.ts';
import { SessionView } from './features/remote-screen/SessionView.tsx';
import { RolesPage } from './features/roles/RolesPage.tsx';
import { SsoPage } from './features/sso/SsoPage.tsx';
import { SessionsPage } from './features/sessions/SessionsPage.tsx';
import { TwoFactorRequiredPage } from './features/two-factor/TwoFactorRequiredPage.tsx';
import { GroupsPage } from './features/users/GroupsPage.tsx';
import { UsersPage } from './features/users/UsersPage.tsx';
import { I18nContext, initialLang, useI18n, makeI18n, saveLang, type Lang, type MessageKey } from './i18n/index.ts';
import { matchPath, navigate, useRoute } from './router.ts';
import { ErrorMessage, Forbidden, Loading } from './ui/feedback.tsx';
import { HelpDialog, Shell } from './ui/layout.tsx';
import { Link } from './ui/link.tsx';
import { useStore } from './ui/store.ts';

/** The portal, where end users enter a session key: public, and outside the console's frame. */
const PORTAL_PATH = '/portal';

/** Pages reachable without signing in. */
const PUBLIC_PATHS = ['/login', '/setup', PORTAL_PATH];

/** The list filters that `/` focuses (one page shows at most one). */
const FILTER_IDS = [DEVICE_FILTER_ID, EVENT_FILTER_ID];

/** Whether a key press belongs to a text field or the remote screen, not to a console shortcut. */
function isTypingTarget(target: EventTarget | null): boolean {
  return (
    target instanceof Element &&
    target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"], [data-remote-screen]') !== null
  );
}

/** A page the signed-in user's roles do not cover: said plainly rather than a failed load. */
function guarded(allowed: boolean, heading: string, page: JSX.Element, t: (key: MessageKey) => string): JSX.Element {
  return allowed ? page : <Forbidden heading={heading} title={t('forbidden.title')} body={t('forbidden.body')} />;
}

function NotFound() {
  const { t } = useI18n();
  return (
    <section class="page">
      <h1>{t('notFound.title')}</h1>
      <p>{t('notFound.body')}</p>
      <Link to="/devices" class="button">
        {t('notFound.back')}
      </Link>
    </section>
  );
}

export function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const i18n = useMemo(
    () =>
      makeI18n(lang, (next) => {
        saveLang(next);
        setLang(next);
      }),
    [lang],
  );
  const { t } = i18n;
  const auth = useStore(authStore);
  const route = useRoute();
  const [helpOpen, setHelpOpen] = useState(false);
  const [bootError, setBootError] = useState<unknown>(null);
  const [bootAttempt, setBootAttempt] = useState(0);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  useEffect(() => {
    setBootError(null);
    loadMe()
      .then(() => {
        // Back from a single sign-on, which lands on the device list: on to where it was started
        // for. Signed out (the sign-on failed), it stays kept for a sign-in on the sign-in page.
        if (authStore.get().status !== 'signed_in') return;
        const next = takeRememberedNext();
        if (next !== null) navigate(next, { replace: true });
      })
      .catch(setBootError);
  }, [bootAttempt]);

  // The company requires a second factor this user has not set up: the server
  // refuses everything but its setup, the live feed included.
  const mustEnrol = auth.status === 'signed_in' && auth.me.user.two_factor_required;
  const onPortal = route.path === PORTAL_PATH;

  // The portal lists nothing: an end user signed in there needs no live feed.
  useEffect(() => {
    if (auth.status === 'signed_in' && !mustEnrol && !onPortal) startLive();
    else if (auth.status === 'signed_out' || mustEnrol || onPortal) stopLive();
  }, [auth.status, mustEnrol, onPortal]);

  useEffect(() => {
    if ((route.path === '/' || route.path === '/index.html') && route.query.has('key')) {
      // A portal link that lost its way (`/console/?key=`): the portal, key and all.
      navigate(`${PORTAL_PATH}?${route.query.toString()}`, { replace: true });
    } else if (route.path === '/' || route.path === '/index.html') {
      navigate('/devices', { replace: true });
    } else if (auth.status === 'signed_out' && !PUBLIC_PATHS.includes(route.path)) {
      const next = route.path + (route.query.size > 0 ? `?${route.query.toString()}` : '');
      navigate(`/login?next=${encodeURIComponent(next)}`, { replace: true });
    } else if (auth.status === 'signed_in' && route.path === '/login') {
      navigate(safeNext(route.query.get('next')), { replace: true });
    }
  }, [auth.status, route.path, route.query]);

  // The shortcuts read these when a key is pressed, not when the listener was added.
  const shortcutState = useRef({ portal: false, console: false, mayInvite: false });
  shortcutState.current = {
    portal: onPortal,
    console: auth.status === 'signed_in' && !mustEnrol && !onPortal,
    mayInvite: auth.status === 'signed_in' && mayInvite(auth.me),
  };

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTypingTarget(event.target)) return;
      if (document.querySelector('dialog[open]') !== null) return;
      // The portal is for end users: the console's shortcuts would only surprise them.
      if (shortcutState.current.portal) return;
      if (event.key === '?') {
        event.preventDefault();
        setHelpOpen(true);
      } else if (event.key === INVITE_SHORTCUT && shortcutState.current.console && shortcutState.current.mayInvite) {
        event.preventDefault();
        openInvite();
      } else if (event.key === '/') {
        const filter = FILTER_IDS.map((id) => document.getElementById(id)).find((element): element is HTMLElement => element !== null);
        if (filter !== undefined) {
          event.preventDefault();
          filter.focus();
        }
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);

  const sessionMatch = matchPath('/sessions/:id', route.path);
  let titleKey: MessageKey = 'app.name';
  let page;
  let fill = false;
  const me = auth.status === 'signed_in' ? auth.me : null;

  const booting =
    bootError === null ? (
      <Loading label={t('common.loading')} />
    ) : (
      <section class="page">
        <ErrorMessage>{i18n.describeError(bootError)}</ErrorMessage>
        <button type="button" class="button" onClick={() => setBootAttempt((n) => n + 1)}>
          {t('common.retry')}
        </button>
      </section>
    );

  if (onPortal) {
    // Signed in or not (a check made signed in carries the CSRF token, so it waits for the boot).
    titleKey = 'portal.title';
    page = auth.status === 'loading' ? booting : <PortalPage me={me} keyParam={route.query.get('key')} />;
  } else if (route.path === '/setup') {
    titleKey = 'setup.title';
    page = <SetupPage token={route.query.get('token')} />;
  } else if (auth.status === 'loading') {
    page = booting;
  } else if (me === null) {
    titleKey = 'login.title';
    page = <LoginPage next={route.query.get('next')} expired={auth.status === 'signed_out' && auth.expired} ssoError={route.query.get('sso_error')} />;
  } else if (mustEnrol) {
    // Whatever the address, only the setup is open to them until it is done.
    titleKey = 'twoFactor.required.title';
    page = <TwoFactorRequiredPage me={me} />;
  } else if (route.path === '/devices') {
    titleKey = 'nav.devices';
    page = <DevicesPage me={me} />;
  } else if (route.path === '/enrollment') {
    titleKey = 'nav.enrollment';
    page = guarded(can(me, 'devices.manage'), t('enrollment.title'), <EnrollmentPage />, t);
  } else if (route.path === '/sessions') {
    titleKey = 'nav.sessions';
    page = <SessionsPage me={me} />;
  } else if (route.path === '/account') {
    titleKey = 'account.title';
    page = <AccountPage me={me} />;
  } else if (route.path === '/events') {
    titleKey = 'nav.events';
    page = <EventLogPage me={me} />;
  } else if (route.path === '/users') {
    titleKey = 'users.title';
    page = guarded(can(me, 'users.manage'), t('users.title'), <UsersPage me={me} />, t);
  } else if (route.path === '/groups') {
    titleKey = 'groups.title';
    page = guarded(can(me, 'users.manage'), t('groups.title'), <GroupsPage />, t);
  } else if (route.path === '/roles') {
    titleKey = 'roles.title';
    page = guarded(can(me, 'roles.manage'), t('roles.title'), <RolesPage me={me} />, t);
  } else if (route.path === '/company') {
    titleKey = 'company.title';
    page = guarded(can(me, 'company.manage'), t('company.title'), <CompanyPage me={me} />, t);
  } else if (route.path === '/sso') {
    titleKey = 'sso.title';
    page = guarded(mayManageSso(me), t('sso.title'), <SsoPage me={me} />, t);
  } else if (route.path === '/api-tokens') {
    titleKey = 'apiTokens.title';
    page = guarded(can(me, 'api_tokens.manage'), t('apiTokens.title'), <ApiTokensPage me={me} />, t);
  } else if (route.path === '/companies') {
    titleKey = 'companies.title';
    page = guarded(isOperator(me), t('companies.title'), <CompaniesPage me={me} />, t);
  } else if (sessionMatch?.['id'] !== undefined) {
    titleKey = 'session.title';
    fill = true;
    page = <SessionView key={sessionMatch['id']} id={sessionMatch['id']} />;
  } else {
    titleKey = 'notFound.title';
    page = <NotFound />;
  }

  useEffect(() => {
    document.title = titleKey === 'app.name' ? t('app.name') : `${t(titleKey)} · ${t('app.name')}`;
  }, [titleKey, t]);

  if (onPortal) {
    return (
      <I18nContext.Provider value={i18n}>
        <PortalLayout me={me}>{page}</PortalLayout>
      </I18nContext.Provider>
    );
  }
  return (
    <I18nContext.Provider value={i18n}>
      <Shell me={me} restricted={mustEnrol} path={route.path} onHelp={() => setHelpOpen(true)} fill={fill}>
        {page}
      </Shell>
      <HelpDialog open={helpOpen} onClose={() => setHelpOpen(false)} invite={me !== null && !mustEnrol && mayInvite(me)} />
      {me !== null && !mustEnrol && <InviteDialog />}
    </I18nContext.Provider>
  );
}
