// The second step of signing in, for accounts with two-factor sign-in: the code
// the authenticator app shows, or one of the recovery codes. The server keeps no
// half-signed-in state, so the first step's address and password go again with it.

import type { TargetedEvent } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { RequestError } from '../../api/http.ts';
import { useI18n } from '../../i18n/index.ts';
import { ErrorMessage } from '../../ui/feedback.tsx';
import { authenticatorCode, recoveryCode } from '../two-factor/codes.ts';
import { signIn } from './auth.ts';

type Mode = 'app' | 'recovery';

/** What the last attempt gave; kept untranslated so a language switch re-renders it. */
type Problem = { kind: 'format' } | { kind: 'invalid' } | { kind: 'failed'; error: unknown };

/** Answers meaning the first step no longer holds (the password changed meanwhile): it must be done again. */
const FIRST_STEP_ERRORS: readonly string[] = ['invalid_credentials', 'password_sign_in_disabled', 'forbidden'];

const PROBLEM_ID = 'login-code-problem';
const HINT_ID = 'login-recovery-hint';

interface Props {
  email: string;
  password: string;
  onSignedIn(): void;
  /** Back to the address and password, with the reason when the server sent us there. */
  onBack(error: unknown): void;
}

export function SecondFactorForm({ email, password, onSignedIn, onBack }: Props) {
  const { t, describeError } = useI18n();
  const [mode, setMode] = useState<Mode>('app');
  const [code, setCode] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  // `autofocus` works once per page load, and the sign-in page already used it; the
  // field is also replaced when the kind of code changes. Either way, focus it.
  useEffect(() => {
    input.current?.focus();
  }, [mode]);

  const switchMode = (): void => {
    setMode((current) => (current === 'app' ? 'recovery' : 'app'));
    setCode('');
    setProblem(null);
  };

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    const normalized = mode === 'app' ? authenticatorCode(code) : recoveryCode(code);
    if (normalized === null) {
      setProblem({ kind: 'format' });
      input.current?.focus();
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await signIn({ email, password, code: normalized });
      onSignedIn();
    } catch (caught) {
      if (caught instanceof RequestError && caught.code === 'second_factor_invalid') {
        setProblem({ kind: 'invalid' });
        setCode('');
        input.current?.focus();
      } else if (caught instanceof RequestError && FIRST_STEP_ERRORS.includes(caught.code)) {
        onBack(caught);
      } else {
        setProblem({ kind: 'failed', error: caught });
      }
    } finally {
      setBusy(false);
    }
  };

  let problemText: string | null = null;
  if (problem?.kind === 'format') problemText = mode === 'app' ? t('twoFactor.codeFormat') : t('login.recoveryFormat');
  else if (problem?.kind === 'invalid') problemText = mode === 'app' ? t('login.codeInvalid') : t('login.recoveryInvalid');
  else if (problem?.kind === 'failed') problemText = describeError(problem.error);

  const invalid = problem?.kind === 'format' || problem?.kind === 'invalid';
  const describedBy = [mode === 'recovery' ? HINT_ID : undefined, problemText !== null ? PROBLEM_ID : undefined].filter((id) => id !== undefined).join(' ');
  const shared = {
    id: 'login-code',
    ref: input,
    type: 'text' as const,
    required: true,
    value: code,
    onInput: (event: TargetedEvent<HTMLInputElement>) => setCode(event.currentTarget.value),
    'aria-invalid': invalid ? ('true' as const) : undefined,
    'aria-describedby': describedBy === '' ? undefined : describedBy,
  };

  return (
    <div class="auth-page">
      <form class="card auth-card" noValidate onSubmit={(event) => void onSubmit(event)} aria-labelledby="login-code-title">
        <h1 id="login-code-title">{t('twoFactor.title')}</h1>
        <p class="muted">
          {mode === 'app' ? t('login.codeSubtitle') : t('login.recoverySubtitle')}
          <span class="signing-in-as">{t('login.signingInAs', { email })}</span>
        </p>
        {problemText !== null && <ErrorMessage id={PROBLEM_ID}>{problemText}</ErrorMessage>}
        <div class="field">
          <label for="login-code">{mode === 'app' ? t('login.code') : t('login.recoveryCode')}</label>
          {mode === 'app' ? (
            // `one-time-code` lets phones offer the code; `numeric` brings up the digit keypad.
            <input key="app" {...shared} inputMode="numeric" autocomplete="one-time-code" />
          ) : (
            <input key="recovery" {...shared} autocomplete="off" autocapitalize="none" spellcheck={false} />
          )}
          {mode === 'recovery' && (
            <small id={HINT_ID} class="hint">
              {t('login.recoveryHint')}
            </small>
          )}
        </div>
        <button type="submit" class="button button-primary button-block" disabled={busy}>
          {busy ? t('login.verifying') : t('login.verify')}
        </button>
        <div class="auth-links">
          <button type="button" class="link-button" onClick={switchMode}>
            {mode === 'app' ? t('login.useRecovery') : t('login.useApp')}
          </button>
          <button type="button" class="link-button" onClick={() => onBack(null)}>
            {t('login.back')}
          </button>
        </div>
      </form>
    </div>
  );
}
