import { useEffect, useRef, useState } from 'preact/hooks';
import { api, RequestError } from '../../api/http.ts';
import type { SignInMethod, SignInMethodView } from '../../gen/proto.ts';
import { useI18n, type MessageKey } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';
import { ErrorMessage } from '../../ui/feedback.tsx';
import { signIn } from './auth.ts';
import { rememberNext, safeNext, takeRememberedNext } from './next.ts';
import { SecondFactorForm } from './SecondFactorForm.tsx';

/** A sign-in method that goes through the company's identity provider. */
type SingleSignOnMethod = Exclude<SignInMethod, 'password'>;

function isSingleSignOn(method: SignInMethod | null): method is SingleSignOnMethod {
  return method === 'saml' || method === 'oidc';
}

/** Where single sign-on starts for `email`: the server sends the browser on to the identity provider. */
export function singleSignOnUrl(email: string, method: SingleSignOnMethod): string {
  return `/${method}/login?email=${encodeURIComponent(email.trim())}&relay_state=console`;
}

/**
 * Leaves for the identity provider. Its round trip lands on the device list whatever
 * `next` says, so `next` is kept for the console to go on to once it is back.
 */
function startSingleSignOn(email: string, method: SingleSignOnMethod, next: string | null): void {
  rememberNext(next);
  location.assign(singleSignOnUrl(email, method));
}

/** Where a sign-in made on this page goes: `?next=`, else where a failed single sign-on was headed. */
function destination(next: string | null): string {
  const kept = takeRememberedNext();
  return safeNext(next ?? kept);
}

/** How `email` signs in through single sign-on, asked now (the password was refused for it); SAML when unknown. */
async function singleSignOnMethod(email: string): Promise<SingleSignOnMethod> {
  try {
    const view = await api.get<SignInMethodView>(`/api/auth/sign-in-method?email=${encodeURIComponent(email.trim())}`);
    return isSingleSignOn(view.method) ? view.method : 'saml';
  } catch {
    return 'saml';
  }
}

/** Why single sign-on sent the browser back (`?sso_error=`), in words; unknown codes read as a plain failure. */
export function singleSignOnError(code: string): MessageKey {
  const known: Record<string, MessageKey> = {
    sso_failed: 'login.sso.failed',
    sso_denied: 'login.sso.denied',
    sso_busy: 'login.sso.busy',
    sso_enter_address: 'login.sso.enterAddress',
    sso_not_configured: 'login.sso.notConfigured',
    sso_wrong_domain: 'login.sso.wrongDomain',
    sso_no_account: 'login.sso.noAccount',
    sso_account_disabled: 'login.sso.accountDisabled',
  };
  return known[code] ?? 'login.sso.failed';
}

/** How the typed address signs in, asked once typing pauses; null until known. */
function useSignInMethod(email: string): SignInMethod | null {
  const [method, setMethod] = useState<SignInMethod | null>(null);
  useEffect(() => {
    const address = email.trim();
    setMethod(null);
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address)) return;
    let current = true;
    const timer = setTimeout(() => {
      api
        .get<SignInMethodView>(`/api/auth/sign-in-method?email=${encodeURIComponent(address)}`)
        .then((view) => current && setMethod(view.method))
        // Unknown is treated as a password sign-in; the server refuses it if it must.
        .catch(() => current && setMethod('password'));
    }, 300);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [email]);
  return method;
}

export function LoginPage({ next, expired, ssoError = null }: { next: string | null; expired: boolean; ssoError?: string | null }) {
  const { t, describeError } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // Set once the password was right and the account asks for a second factor. The
  // password stays in memory meanwhile: the code is sent along with it.
  const [secondFactor, setSecondFactor] = useState(false);
  const passwordInput = useRef<HTMLInputElement>(null);
  const cameBack = useRef(false);
  const passwordOff = error instanceof RequestError && error.code === 'password_sign_in_disabled';
  const method = useSignInMethod(email);
  const singleSignOn = isSingleSignOn(method);

  // Back from the code step, the password is what is missing (`autofocus` works once per page).
  useEffect(() => {
    if (secondFactor || !cameBack.current) return;
    cameBack.current = false;
    passwordInput.current?.focus();
  }, [secondFactor]);

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (isSingleSignOn(method)) {
      startSingleSignOn(email, method, next);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signIn({ email: email.trim(), password });
      navigate(destination(next), { replace: true });
    } catch (caught) {
      if (caught instanceof RequestError && caught.code === 'second_factor_required') {
        setSecondFactor(true);
      } else if (caught instanceof RequestError && caught.code === 'single_sign_on_required') {
        startSingleSignOn(email, isSingleSignOn(method) ? method : await singleSignOnMethod(email), next);
      } else {
        setError(caught);
        setPassword('');
      }
    } finally {
      setBusy(false);
    }
  };

  if (secondFactor) {
    return (
      <SecondFactorForm
        email={email.trim()}
        password={password}
        onSignedIn={() => navigate(destination(next), { replace: true })}
        onBack={(reason) => {
          cameBack.current = true;
          setSecondFactor(false);
          setPassword('');
          setError(reason);
        }}
      />
    );
  }

  return (
    <div class="auth-page">
      <form class="card auth-card" onSubmit={(event) => void onSubmit(event)} aria-labelledby="login-title">
        <h1 id="login-title">{t('login.title')}</h1>
        {/* An end user sent here by the portal has no technician account. */}
        <p class="muted">{next?.startsWith('/portal') === true ? t('login.subtitlePortal') : t('login.subtitle')}</p>
        {expired && error === null && <div class="alert alert-info">{t('login.expired')}</div>}
        {ssoError !== null && error === null && <ErrorMessage>{t(singleSignOnError(ssoError))}</ErrorMessage>}
        {passwordOff ? (
          // Not a mistake to retry: the company signs in another way. Say so plainly.
          <div class="alert alert-warning" role="alert" data-code="password_sign_in_disabled">
            <strong class="alert-title">{t('login.passwordOffTitle')}</strong>
            {describeError(error)}
          </div>
        ) : (
          error !== null && <ErrorMessage>{describeError(error)}</ErrorMessage>
        )}
        <div class="field">
          <label for="login-email">{t('login.email')}</label>
          <input
            id="login-email"
            type="email"
            autocomplete="username"
            required
            autofocus
            value={email}
            onInput={(event) => setEmail(event.currentTarget.value)}
          />
        </div>
        {singleSignOn ? (
          <p class="alert alert-info" role="status">
            {t('login.sso.hint')}
          </p>
        ) : (
          <div class="field">
            <label for="login-password">{t('login.password')}</label>
            <input
              id="login-password"
              ref={passwordInput}
              type="password"
              autocomplete="current-password"
              required
              value={password}
              onInput={(event) => setPassword(event.currentTarget.value)}
            />
          </div>
        )}
        <button type="submit" class="button button-primary button-block" disabled={busy}>
          {singleSignOn ? t('login.sso.continue') : busy ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
    </div>
  );
}
