// Copying secrets the server shows once: enrollment tokens and generated passwords.

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

/**
 * A password the server generated and returns this once: the warning first, then
 * the password with a copy button. The server keeps only its hash, so nothing can
 * show it again once this is dismissed.
 */
export function GeneratedPassword({ password }: { password: string }) {
  const { t } = useI18n();
  const labelId = useId();
  return (
    <div class="generated-password">
      <p class="alert alert-warning">{t('secret.once')}</p>
      <div class="field">
        <span class="label" id={labelId}>
          {t('secret.passwordLabel')}
        </span>
        <div class="copy-row">
          <code class="secret" aria-labelledby={labelId} data-testid="generated-password">
            {password}
          </code>
          <CopyButton text={password} label={t('secret.copyPassword')} />
        </div>
      </div>
    </div>
  );
}
