import { useEffect, useRef, useState } from 'preact/hooks';
import { RequestError } from '../../api/http.ts';
import { useI18n } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';
import { ErrorMessage } from '../../ui/feedback.tsx';
import { signIn } from './auth.ts';
import { SecondFactorForm } from './SecondFactorForm.tsx';

/** Where to go after signing in: a console path from `?next=`, never another site. */
export function safeNext(next: string | null): string {
  if (next === null || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/login')) return '/devices';
  return next;
}

export function LoginPage({ next, expired }: { next: string | null; expired: boolean }) {
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

  // Back from the code step, the password is what is missing (`autofocus` works once per page).
  useEffect(() => {
    if (secondFactor || !cameBack.current) return;
    cameBack.current = false;
    passwordInput.current?.focus();
  }, [secondFactor]);

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn({ email: email.trim(), password });
      navigate(safeNext(next), { replace: true });
    } catch (caught) {
      if (caught instanceof RequestError && caught.code === 'second_factor_required') {
        setSecondFactor(true);
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
        onSignedIn={() => navigate(safeNext(next), { replace: true })}
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
        <p class="muted">{t('login.subtitle')}</p>
        {expired && error === null && <div class="alert alert-info">{t('login.expired')}</div>}
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
        <button type="submit" class="button button-primary button-block" disabled={busy}>
          {busy ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
    </div>
  );
}
