// What a member sees while their company requires two-factor sign-in and they have
// not set it up: the server refuses everything else, so this is the whole console
// for them (no navigation, no live feed) until it is done. Signing out stays in
// the header.

import { useState } from 'preact/hooks';
import type { SignedIn } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { ErrorMessage } from '../../ui/feedback.tsx';
import { loadMe } from '../auth/auth.ts';
import { SetupFlow } from './SetupFlow.tsx';

export function TwoFactorRequiredPage({ me }: { me: SignedIn }) {
  const { t, describeError } = useI18n();
  const [started, setStarted] = useState(false);
  const [error, setError] = useState<unknown>(null);

  // Re-reading the profile is what opens the console: it no longer says "required".
  const finish = async (): Promise<void> => {
    setError(null);
    try {
      await loadMe();
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <section class="page two-factor-required">
      <div class="card two-factor-required-card" role="region" aria-labelledby="two-factor-required-title">
        <h1 id="two-factor-required-title">{t('twoFactor.required.title')}</h1>
        <p>{t('twoFactor.required.body')}</p>
        <p class="muted">{t('twoFactor.required.signedInAs', { email: me.user.email })}</p>
        {error !== null && <ErrorMessage>{describeError(error)}</ErrorMessage>}
        {started ? (
          <SetupFlow email={me.user.email} finishLabel={t('twoFactor.required.continue')} onFinished={() => void finish()} />
        ) : (
          <>
            <p>{t('twoFactor.required.how')}</p>
            <button type="button" class="button button-primary" onClick={() => setStarted(true)}>
              {t('twoFactor.required.start')}
            </button>
          </>
        )}
      </div>
    </section>
  );
}
