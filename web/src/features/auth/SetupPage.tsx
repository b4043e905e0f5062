import { useState } from 'preact/hooks';
import { useI18n } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';
import { ErrorMessage } from '../../ui/feedback.tsx';
import { completeSetup, MIN_PASSWORD_LENGTH, passwordTooShort } from './auth.ts';

/** Creates the first administrator from the one-time link the server printed. */
export function SetupPage({ token }: { token: string | null }) {
  const { t, describeError } = useI18n();
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (token === null || token === '') {
    return (
      <div class="auth-page">
        <div class="card auth-card">
          <h1>{t('setup.title')}</h1>
          <ErrorMessage>{t('setup.missingToken')}</ErrorMessage>
        </div>
      </div>
    );
  }

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (passwordTooShort(password)) {
      setProblem(t('setup.passwordTooShort', { min: MIN_PASSWORD_LENGTH }));
      return;
    }
    if (password !== confirm) {
      setProblem(t('setup.passwordMismatch'));
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await completeSetup({ setup_token: token, email: email.trim(), display_name: displayName.trim(), password });
      navigate('/devices', { replace: true });
    } catch (caught) {
      setProblem(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="auth-page">
      <form class="card auth-card" onSubmit={(event) => void onSubmit(event)} aria-labelledby="setup-title">
        <h1 id="setup-title">{t('setup.title')}</h1>
        <p class="muted">{t('setup.subtitle')}</p>
        {problem !== null && <ErrorMessage>{problem}</ErrorMessage>}
        <div class="field">
          <label for="setup-email">{t('setup.email')}</label>
          <input id="setup-email" type="email" autocomplete="username" required autofocus value={email} onInput={(event) => setEmail(event.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="setup-name">{t('setup.displayName')}</label>
          <input id="setup-name" type="text" autocomplete="name" required value={displayName} onInput={(event) => setDisplayName(event.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="setup-password">{t('setup.password')}</label>
          <input
            id="setup-password"
            type="password"
            autocomplete="new-password"
            required
            minLength={MIN_PASSWORD_LENGTH}
            aria-describedby="setup-password-hint"
            value={password}
            onInput={(event) => setPassword(event.currentTarget.value)}
          />
          <small id="setup-password-hint" class="hint">
            {t('setup.passwordHint', { min: MIN_PASSWORD_LENGTH })}
          </small>
        </div>
        <div class="field">
          <label for="setup-confirm">{t('setup.confirm')}</label>
          <input id="setup-confirm" type="password" autocomplete="new-password" required value={confirm} onInput={(event) => setConfirm(event.currentTarget.value)} />
        </div>
        <button type="submit" class="button button-primary button-block" disabled={busy}>
          {t('setup.submit')}
        </button>
      </form>
    </div>
  );
}
