// The signed-in user's own account: who they are, what their roles allow,
// two-factor sign-in, and changing their password.

import { useRef, useState } from 'preact/hooks';
import { RequestError } from '../../api/http.ts';
import type { ChangePassword, SignedIn } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { ErrorMessage } from '../../ui/feedback.tsx';
import { sortPermissions } from '../access/permissions.ts';
import { changePassword, MIN_PASSWORD_LENGTH, passwordTooShort } from '../auth/auth.ts';
import { TwoFactorSection } from '../two-factor/TwoFactorSection.tsx';

type Field = 'current' | 'new' | 'confirm';

/** What the last submission gave; kept untranslated so a language switch re-renders it. */
type Outcome =
  | { kind: 'invalid'; field: Field; key: 'account.currentMissing' | 'account.tooShort' | 'account.mismatch' }
  | { kind: 'failed'; error: unknown }
  | { kind: 'changed' };

const PROBLEM_ID = 'account-password-problem';
const HINT_ID = 'account-new-hint';

export function AccountPage({ me }: { me: SignedIn }) {
  const { t, describeError } = useI18n();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const inputs = {
    current: useRef<HTMLInputElement>(null),
    new: useRef<HTMLInputElement>(null),
    confirm: useRef<HTMLInputElement>(null),
  };

  const permissions = sortPermissions(me.user.permissions);

  const invalid = (field: Field, key: Extract<Outcome, { kind: 'invalid' }>['key']): void => {
    setOutcome({ kind: 'invalid', field, key });
    inputs[field].current?.focus();
  };

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    if (current === '') return invalid('current', 'account.currentMissing');
    if (passwordTooShort(next)) return invalid('new', 'account.tooShort');
    if (next !== confirm) return invalid('confirm', 'account.mismatch');
    setBusy(true);
    setOutcome(null);
    try {
      const body: ChangePassword = { current_password: current, new_password: next };
      await changePassword(body);
      setCurrent('');
      setNext('');
      setConfirm('');
      setOutcome({ kind: 'changed' });
    } catch (caught) {
      setOutcome({ kind: 'failed', error: caught });
      if (caught instanceof RequestError && caught.code === 'invalid_credentials') {
        setCurrent('');
        inputs.current.current?.focus();
      }
    } finally {
      setBusy(false);
    }
  };

  const failureText = (error: unknown): string => {
    if (error instanceof RequestError) {
      if (error.code === 'invalid_credentials') return t('account.wrongCurrent');
      // The server explains which password rule the new password breaks.
      if (error.code === 'bad_request' && error.message.trim() !== '') return t('account.rejected', { reason: error.message });
    }
    return describeError(error);
  };

  let problem: string | null = null;
  if (outcome?.kind === 'invalid') problem = t(outcome.key, { min: MIN_PASSWORD_LENGTH });
  else if (outcome?.kind === 'failed') problem = failureText(outcome.error);

  /** The accessibility attributes of a field the problem is about. */
  const problemOf = (field: Field, describedBy?: string) => {
    const about = outcome?.kind === 'invalid' && outcome.field === field;
    const ids = [describedBy, about ? PROBLEM_ID : undefined].filter((id) => id !== undefined).join(' ');
    return { 'aria-invalid': about ? ('true' as const) : undefined, 'aria-describedby': ids === '' ? undefined : ids };
  };

  return (
    <section class="page">
      <div class="page-header">
        <div>
          <h1>{t('account.title')}</h1>
          <p class="muted">{t('account.subtitle')}</p>
        </div>
      </div>

      <div class="card account-profile" role="region" aria-labelledby="account-profile-title">
        <h2 id="account-profile-title">{t('account.profile')}</h2>
        <dl class="profile">
          <dt>{t('account.name')}</dt>
          <dd data-testid="account-name">{me.user.display_name}</dd>
          <dt>{t('account.email')}</dt>
          <dd data-testid="account-email">{me.user.email}</dd>
          <dt>{t('account.operator')}</dt>
          <dd data-testid="account-operator">{me.user.operator ? t('account.operatorYes') : t('account.operatorNo')}</dd>
          <dt id="account-permissions-label">{t('account.permissions')}</dt>
          <dd>
            {permissions.length === 0 ? (
              <span data-testid="account-permissions">{t('account.noPermissions')}</span>
            ) : (
              <ul class="chips" aria-labelledby="account-permissions-label" data-testid="account-permissions">
                {permissions.map((permission) => (
                  <li key={permission} class="chip" data-permission={permission} title={t(`permission.${permission}.hint`)}>
                    {t(`permission.${permission}`)}
                  </li>
                ))}
              </ul>
            )}
            <small class="hint">{t('account.permissionsHint')}</small>
          </dd>
        </dl>
      </div>

      <TwoFactorSection me={me} />

      <form class="card account-password" noValidate onSubmit={(event) => void onSubmit(event)} aria-labelledby="account-password-title">
        <h2 id="account-password-title">{t('account.passwordTitle')}</h2>
        {outcome?.kind === 'changed' && (
          <p class="alert alert-success" role="status">
            {t('account.changed')}
          </p>
        )}
        {problem !== null && <ErrorMessage id={PROBLEM_ID}>{problem}</ErrorMessage>}
        {/* The browser may offer to save the new password for this account. */}
        <input type="email" name="username" autocomplete="username" value={me.user.email} readOnly hidden />
        <div class="field">
          <label for="account-current">{t('account.current')}</label>
          <input
            id="account-current"
            ref={inputs.current}
            type="password"
            autocomplete="current-password"
            required
            value={current}
            onInput={(event) => setCurrent(event.currentTarget.value)}
            {...problemOf('current')}
          />
        </div>
        <div class="field">
          <label for="account-new">{t('account.new')}</label>
          <input
            id="account-new"
            ref={inputs.new}
            type="password"
            autocomplete="new-password"
            required
            minLength={MIN_PASSWORD_LENGTH}
            value={next}
            onInput={(event) => setNext(event.currentTarget.value)}
            {...problemOf('new', HINT_ID)}
          />
          <small id={HINT_ID} class="hint">
            {t('account.newHint', { min: MIN_PASSWORD_LENGTH })}
          </small>
        </div>
        <div class="field">
          <label for="account-confirm">{t('account.confirm')}</label>
          <input
            id="account-confirm"
            ref={inputs.confirm}
            type="password"
            autocomplete="new-password"
            required
            value={confirm}
            onInput={(event) => setConfirm(event.currentTarget.value)}
            {...problemOf('confirm')}
          />
        </div>
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? t('account.submitting') : t('account.submit')}
        </button>
      </form>
    </section>
  );
}
