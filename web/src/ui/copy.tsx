// Copying secrets the server shows once: enrollment and API tokens, generated
// passwords, and the commands that use them.

import { useEffect, useId, useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.ts';

export function CopyButton({ text, label }: { text: string; label: string }) {
  const { t } = useI18n();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <button type="button" class="button button-small" onClick={() => void copy()} aria-label={label}>
      <span aria-live="polite">{state === 'copied' ? t('common.copied') : state === 'failed' ? t('common.copyFailed') : t('common.copy')}</span>
    </button>
  );
}

interface CopyFieldProps {
  label: string;
  text: string;
  /** The copy button's name ("Copy the token"). */
  copyLabel: string;
  /** A command line (wraps like one), not a secret. */
  command?: boolean;
  hint?: string;
  testId?: string;
}

/** A labelled secret or command, with a button that copies it. */
export function CopyField({ label, text, copyLabel, command = false, hint, testId }: CopyFieldProps) {
  const labelId = useId();
  return (
    <div class="field">
      <span class="label" id={labelId}>
        {label}
      </span>
      <div class="copy-row">
        {command ? (
          <pre class="command" aria-labelledby={labelId} data-testid={testId}>
            {text}
          </pre>
        ) : (
          <code class="secret" aria-labelledby={labelId} data-testid={testId}>
            {text}
          </code>
        )}
        <CopyButton text={text} label={copyLabel} />
      </div>
      {hint !== undefined && <small class="hint">{hint}</small>}
    </div>
  );
}

/**
 * A password the server generated and returns this once: the warning first, then
 * the password with a copy button. The server keeps only its hash, so nothing can
 * show it again once this is dismissed.
 */
export function GeneratedPassword({ password }: { password: string }) {
  const { t } = useI18n();
  return (
    <div class="generated-password">
      <p class="alert alert-warning">{t('secret.once')}</p>
      <CopyField label={t('secret.passwordLabel')} text={password} copyLabel={t('secret.copyPassword')} testId="generated-password" />
    </div>
  );
}
