import { useState } from 'preact/hooks';
import { RequestError } from '../../api/http.ts';
import { useI18n } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';
import { ErrorMessage } from '../../ui/feedback.tsx';
import { signIn } from './auth.ts';

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
  const passwordOff = error instanceof RequestError && error.code === 'password_sign_in_disabled';

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn({ email: email.trim(), password });
      navigate(safeNext(next), { replace: true });
    } catch (caught) {
      setError(caught);
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

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
