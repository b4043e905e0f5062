// The ten recovery codes, shown once right after two-factor sign-in is turned on:
// the server keeps only their hashes. Copy and a .txt download help keep them
// somewhere else than the phone they stand in for.

import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../../i18n/index.ts';
import { CopyButton } from '../../ui/copy.tsx';
import { RECOVERY_FILE_NAME, recoveryCodesFile } from './codes.ts';

export function RecoveryCodes({ codes, email }: { codes: readonly string[]; email: string }) {
  const { t } = useI18n();
  const text = recoveryCodesFile(t('twoFactor.fileHeading'), email, codes);
  // A blob: URL (the CSP allows it) rather than a data: one, and revoked when the
  // codes leave the screen so they don't linger in the page's memory.
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const made = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [text]);

  return (
    <div class="recovery-codes">
      <p class="alert alert-warning">{t('twoFactor.codesOnce')}</p>
      <ol class="recovery-code-list" aria-label={t('twoFactor.codesLabel')} data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div class="recovery-actions">
        <CopyButton text={codes.join('\n')} label={t('twoFactor.copyCodes')} />
        {url !== null && (
          <a class="button button-small" href={url} download={RECOVERY_FILE_NAME}>
            {t('twoFactor.download')}
          </a>
        )}
      </div>
    </div>
  );
}
