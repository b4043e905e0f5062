// Setting up two-factor sign-in: the server makes a secret (shown as a QR code and
// as a key to type in), a code from the app confirms it, then the recovery codes
// are shown once. Used by the account page and by the screen of members whose
// company requires it; a secret is asked for when this opens.

import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import { api, RequestError } from '../../api/http.ts';
import type { EnableTwoFactor, TwoFactorEnabled, TwoFactorSetup } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { CopyButton } from '../../ui/copy.tsx';
import { ErrorMessage, Loading } from '../../ui/feedback.tsx';
import { authenticatorCode, groupSecret } from './codes.ts';
import { QrCode } from './QrCode.tsx';
import { RecoveryCodes } from './RecoveryCodes.tsx';

type Step = { kind: 'starting' } | { kind: 'start_failed'; error: unknown } | { kind: 'confirm'; setup: TwoFactorSetup } | { kind: 'codes'; codes: string[] };

/** Why the code was not accepted; kept untranslated so a language switch re-renders it. */
type Problem = { kind: 'format' } | { kind: 'mismatch' } | { kind: 'failed'; error: unknown };

interface Props {
  email: string;
  /** The label of the button that dismisses the recovery codes. */
  finishLabel: string;
  /** The server turned it on; the recovery codes are on screen. */
  onEnabled?(): void;
  /** The recovery codes were dismissed. */
  onFinished(): void;
  /** Leaving before confirming; not offered where setting up can't be skipped. */
  onCancel?(): void;
}

export function SetupFlow({ email, finishLabel, onEnabled, onFinished, onCancel }: Props) {
  const { t, describeError } = useI18n();
  const id = useId();
  const [step, setStep] = useState<Step>({ kind: 'starting' });
  const [code, setCode] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const codesHeading = useRef<HTMLHeadingElement>(null);

  const start = useCallback(async (): Promise<void> => {
    setStep({ kind: 'starting' });
    try {
      // Each call replaces the secret not yet confirmed, so a stale QR code stops working.
      setStep({ kind: 'confirm', setup: await api.post<TwoFactorSetup>('/api/auth/two-factor/setup', {}) });
    } catch (caught) {
      setStep({ kind: 'start_failed', error: caught });
    }
  }, []);

  useEffect(() => {
    void start();
  }, [start]);

  // The form the focus was in is gone: take it to what replaced it.
  useEffect(() => {
    if (step.kind === 'codes') codesHeading.current?.focus();
  }, [step.kind]);

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    const normalized = authenticatorCode(code);
    if (normalized === null) {
      setProblem({ kind: 'format' });
      input.current?.focus();
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const body: EnableTwoFactor = { code: normalized };
      const enabled = await api.post<TwoFactorEnabled>('/api/auth/two-factor/enable', body);
      setStep({ kind: 'codes', codes: enabled.recovery_codes });
      onEnabled?.();
    } catch (caught) {
      setProblem(caught instanceof RequestError && caught.code === 'second_factor_invalid' ? { kind: 'mismatch' } : { kind: 'failed', error: caught });
      setCode('');
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  if (step.kind === 'starting') return <Loading label={t('twoFactor.starting')} />;
  if (step.kind === 'start_failed') {
    return (
      <div class="two-factor-setup">
        <ErrorMessage>{describeError(step.error)}</ErrorMessage>
        <button type="button" class="button" onClick={() => void start()}>
          {t('common.retry')}
        </button>
      </div>
    );
  }
  if (step.kind === 'codes') {
    return (
      <div class="two-factor-setup">
        <h3 ref={codesHeading} tabIndex={-1}>
          {t('twoFactor.codesTitle')}
        </h3>
        <RecoveryCodes codes={step.codes} email={email} />
        <button type="button" class="button button-primary" onClick={onFinished}>
          {finishLabel}
        </button>
      </div>
    );
  }

  let problemText: string | null = null;
  if (problem?.kind === 'format') problemText = t('twoFactor.codeFormat');
  else if (problem?.kind === 'mismatch') problemText = t('twoFactor.codeMismatch');
  else if (problem?.kind === 'failed') problemText = describeError(problem.error);

  return (
    <div class="two-factor-setup">
      <p>{t('twoFactor.scan')}</p>
      <QrCode text={step.setup.otpauth_url} label={t('twoFactor.qrLabel')} />
      <p class="hint" id={`${id}-manual`}>
        {t('twoFactor.manual')}
      </p>
      <div class="copy-row">
        <code class="secret two-factor-key" aria-describedby={`${id}-manual`} data-testid="two-factor-key">
          {groupSecret(step.setup.secret)}
        </code>
        <CopyButton text={step.setup.secret} label={t('twoFactor.copyKey')} />
      </div>
      <form class="two-factor-confirm" noValidate onSubmit={(event) => void onSubmit(event)}>
        {problemText !== null && <ErrorMessage id={`${id}-problem`}>{problemText}</ErrorMessage>}
        <div class="field">
          <label for={`${id}-code`}>{t('twoFactor.enterCode')}</label>
          <input
            id={`${id}-code`}
            ref={input}
            type="text"
            inputMode="numeric"
            autocomplete="one-time-code"
            required
            value={code}
            onInput={(event) => setCode(event.currentTarget.value)}
            aria-invalid={problem?.kind === 'format' || problem?.kind === 'mismatch' ? 'true' : undefined}
            aria-describedby={problemText !== null ? `${id}-problem` : undefined}
          />
        </div>
        <div class="form-actions">
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? t('twoFactor.confirming') : t('twoFactor.confirm')}
          </button>
          {onCancel !== undefined && (
            <button type="button" class="button" onClick={onCancel}>
              {t('common.cancel')}
            </button>
          )}
        </div>
      </form>
    </div>
  );
}
