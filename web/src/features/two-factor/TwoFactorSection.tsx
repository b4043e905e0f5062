// The account page's "Two-factor sign-in": whether it is on, setting it up, and
// turning it off with the password (refused while the company requires it).

import { useId, useRef, useState } from 'preact/hooks';
import { api, RequestError } from '../../api/http.ts';
import type { DisableTwoFactor, SignedIn } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { Dialog } from '../../ui/dialog.tsx';
import { ErrorMessage, Notice } from '../../ui/feedback.tsx';
import { loadMe } from '../auth/auth.ts';
import { SetupFlow } from './SetupFlow.tsx';

/** Re-reads the profile; a failure only leaves the on/off state stale until the next load. */
function refreshMe(): void {
  loadMe().catch(() => undefined);
}

export function TwoFactorSection({ me }: { me: SignedIn }) {
  const { t } = useI18n();
  // Open from "Turn on" until the recovery codes are dismissed, even once `me` says it is on.
  const [settingUp, setSettingUp] = useState(false);
  const [disabling, setDisabling] = useState(false);
  const [notice, setNotice] = useState<'twoFactor.enabled' | 'twoFactor.disabled' | null>(null);
  // Only the refusal tells: `me` says whether the company requires it only of members who lack it.
  const [requiredByCompany, setRequiredByCompany] = useState(false);
  const enabled = me.user.two_factor_enabled;

  return (
    <section class="card account-two-factor" aria-labelledby="account-two-factor-title">
      <h2 id="account-two-factor-title">{t('twoFactor.title')}</h2>
      <p class="muted">{t('twoFactor.about')}</p>
      {notice !== null && <Notice>{t(notice)}</Notice>}
      {settingUp ? (
        <SetupFlow
          email={me.user.email}
          finishLabel={t('twoFactor.saved')}
          onEnabled={refreshMe}
          onFinished={() => {
            setSettingUp(false);
            setNotice('twoFactor.enabled');
          }}
          onCancel={() => setSettingUp(false)}
        />
      ) : (
        <div class="two-factor-state">
          <span>{t('twoFactor.status')}</span>
          <span class={enabled ? 'badge badge-online' : 'badge'} data-testid="two-factor-status">
            {enabled ? t('twoFactor.on') : t('twoFactor.off')}
          </span>
          {enabled ? (
            <button type="button" class="button" disabled={requiredByCompany} onClick={() => setDisabling(true)}>
              {t('twoFactor.turnOff')}
            </button>
          ) : (
            <button
              type="button"
              class="button button-primary"
              onClick={() => {
                setNotice(null);
                setSettingUp(true);
              }}
            >
              {t('twoFactor.turnOn')}
            </button>
          )}
        </div>
      )}
      {requiredByCompany && enabled && (
        <p class="hint" data-code="two_factor_required_by_company">
          {t('error.two_factor_required_by_company')}
        </p>
      )}
      {disabling && (
        <DisableDialog
          email={me.user.email}
          onClose={() => setDisabling(false)}
          onDisabled={() => {
            setDisabling(false);
            setNotice('twoFactor.disabled');
            refreshMe();
          }}
          onRequiredByCompany={() => {
            setDisabling(false);
            setRequiredByCompany(true);
          }}
        />
      )}
    </section>
  );
}

interface DisableProps {
  email: string;
  onClose(): void;
  onDisabled(): void;
  onRequiredByCompany(): void;
}

/** Asks for the password before turning two-factor sign-in off. */
function DisableDialog({ email, onClose, onDisabled, onRequiredByCompany }: DisableProps) {
  const { t, describeError } = useI18n();
  const formId = useId();
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<{ kind: 'wrong' } | { kind: 'failed'; error: unknown } | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    if (password === '') {
      input.current?.focus();
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const body: DisableTwoFactor = { password };
      await api.post<undefined>('/api/auth/two-factor/disable', body);
      onDisabled();
    } catch (caught) {
      if (caught instanceof RequestError && caught.code === 'two_factor_required_by_company') {
        onRequiredByCompany();
        return;
      }
      setProblem(caught instanceof RequestError && caught.code === 'invalid_credentials' ? { kind: 'wrong' } : { kind: 'failed', error: caught });
      setPassword('');
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      title={t('twoFactor.disableTitle')}
      onClose={onClose}
      footer={
        <>
          <button type="button" class="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form={formId} class="button button-danger" disabled={busy}>
            {t('twoFactor.turnOff')}
          </button>
        </>
      }
    >
      <form id={formId} noValidate onSubmit={(event) => void onSubmit(event)}>
        <p>{t('twoFactor.disableBody')}</p>
        {problem !== null && <ErrorMessage>{problem.kind === 'wrong' ? t('twoFactor.wrongPassword') : describeError(problem.error)}</ErrorMessage>}
        {/* Lets the browser fill in the password saved for this account. */}
        <input type="email" name="username" autocomplete="username" value={email} readOnly hidden />
        <div class="field">
          <label for={`${formId}-password`}>{t('twoFactor.password')}</label>
          <input
            id={`${formId}-password`}
            ref={input}
            type="password"
            autocomplete="current-password"
            required
            autofocus
            value={password}
            onInput={(event) => setPassword(event.currentTarget.value)}
          />
        </div>
      </form>
    </Dialog>
  );
}
