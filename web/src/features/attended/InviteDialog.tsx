// Inviting an end user to an attended session: a session key made when the dialog
// opens, shown once, grouped by three in large type, with the portal link that
// carries it and its expiry counting down. The dialog is one for the whole console
// (opened from the Sessions and Devices pages, or with the `i` shortcut), so it
// lives in a store rather than in one page.

import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api/http.ts';
import type { SessionKeyCreated, SignedIn } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { CopyButton, CopyField } from '../../ui/copy.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { ErrorMessage, Loading } from '../../ui/feedback.tsx';
import { Store, useNow, useStore } from '../../ui/store.ts';
import { can } from '../auth/auth.ts';
import { formatCountdown, groupKey, secondsLeft } from './keys.ts';

/** Whether the invitation dialog is open. */
export const inviteStore = new Store<boolean>(false);

/** The key that opens the dialog from anywhere in the console (see app.tsx). */
export const INVITE_SHORTCUT = 'i';

/** Whether `me` may invite: attended sessions are a company-wide permission. */
export function mayInvite(me: SignedIn | null): boolean {
  return can(me, 'session.attended');
}

export function openInvite(): void {
  inviteStore.set(true);
}

/** The button pages show to those who may invite. */
export function InviteButton({ me, primary = false }: { me: SignedIn; primary?: boolean }) {
  const { t } = useI18n();
  if (!mayInvite(me)) return null;
  return (
    <button type="button" class={primary ? 'button button-primary' : 'button'} aria-keyshortcuts={INVITE_SHORTCUT} onClick={openInvite}>
      {t('invite.open')}
    </button>
  );
}

type KeyState = { phase: 'creating' } | { phase: 'created'; created: SessionKeyCreated } | { phase: 'failed'; error: unknown };

function InviteDialogContent({ onClose }: { onClose(): void }) {
  const { t, describeError } = useI18n();
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<KeyState>({ phase: 'creating' });
  const now = useNow(1000);
  const createNewRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    let current = true;
    setState({ phase: 'creating' });
    api
      .post<SessionKeyCreated>('/api/session-keys', {})
      .then((created) => current && setState({ phase: 'created', created }))
      .catch((error: unknown) => current && setState({ phase: 'failed', error }));
    return () => {
      current = false;
    };
  }, [attempt]);

  const left = state.phase === 'created' ? secondsLeft(state.created.expires_at, now) : null;
  const expired = left === 0;
  const offerNew = expired || state.phase === 'failed';

  // The focus was on something that just went away (or nowhere): the way on is the new key.
  useEffect(() => {
    if (offerNew && (document.activeElement === null || document.activeElement === document.body || document.activeElement.closest('dialog') === null)) {
      createNewRef.current?.focus();
    }
  }, [offerNew]);

  let body;
  if (state.phase === 'creating') {
    body = <Loading label={t('invite.creating')} />;
  } else if (state.phase === 'failed') {
    body = <ErrorMessage>{t('invite.failed', { reason: describeError(state.error) })}</ErrorMessage>;
  } else {
    const { created } = state;
    const grouped = groupKey(created.key);
    body = (
      <div class="invite">
        <p>{t('invite.intro')}</p>
        <div class="field">
          <span class="label" id="invite-key-label">
            {t('invite.key')}
          </span>
          <div class="session-key-row">
            <output class={expired ? 'session-key is-expired' : 'session-key'} aria-labelledby="invite-key-label" data-testid="session-key">
              {grouped}
            </output>
            {!expired && <CopyButton text={created.key} label={t('invite.copyKey')} />}
          </div>
        </div>
        {expired ? (
          <p class="alert alert-warning" role="status" data-testid="session-key-expired">
            {t('invite.expired')}
          </p>
        ) : (
          <>
            <p class="countdown" role="timer" data-testid="session-key-expiry">
              {t('invite.expiresIn', { time: formatCountdown(left ?? 0) })}
            </p>
            <CopyField label={t('invite.link')} text={created.portal_url} copyLabel={t('invite.copyLink')} testId="portal-link" />
            <p class="hint">{t('invite.next')}</p>
          </>
        )}
      </div>
    );
  }

  return (
    <Dialog
      open
      title={t('invite.title')}
      onClose={onClose}
      footer={
        <>
          {offerNew && (
            <button type="button" class="button button-primary" ref={createNewRef} onClick={() => setAttempt((n) => n + 1)}>
              {state.phase === 'failed' ? t('common.retry') : t('invite.createNew')}
            </button>
          )}
          <button type="button" class="button" onClick={onClose}>
            {t('common.close')}
          </button>
        </>
      }
    >
      {body}
    </Dialog>
  );
}

/** The invitation dialog, while open: a new key each time it opens. */
export function InviteDialog() {
  const open = useStore(inviteStore);
  // Signing out unmounts it: it must not reopen at the next sign-in.
  useEffect(() => () => inviteStore.set(false), []);
  return open ? <InviteDialogContent onClose={() => inviteStore.set(false)} /> : null;
}
