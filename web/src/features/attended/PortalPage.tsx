// The portal: where an end user enters the session key a technician gave them and
// gets the command that joins their computer to the session. Open to everyone,
// signed in or not, without the console's navigation. For a company that helps only
// its members (tenant-only), it sends the visitor to sign in first and back here.

import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, RequestError } from '../../api/http.ts';
import type { PortalJoin, PortalKeyCheck, PortalKeyView, SignedIn } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';
import { CopyField } from '../../ui/copy.tsx';
import { ErrorMessage, Loading } from '../../ui/feedback.tsx';
import { Brand, LanguageSwitcher, SkipLink } from '../../ui/layout.tsx';
import { Link } from '../../ui/link.tsx';
import { useNow } from '../../ui/store.ts';
import { signOut } from '../auth/auth.ts';
import { formatCountdown, groupKey, isCompleteKey, keyDigits, portalPath, reformatKeyInput, secondsLeft } from './keys.ts';

/** The portal's frame: the brand, the language, who is signed in, and the way to the console. */
export function PortalLayout({ me, children }: { me: SignedIn | null; children: ComponentChildren }) {
  const { t } = useI18n();
  const [signingOut, setSigningOut] = useState(false);
  const onSignOut = async (): Promise<void> => {
    setSigningOut(true);
    try {
      await signOut();
    } catch {
      // Signed out locally all the same (auth.ts); the portal checks the key again as a visitor.
    } finally {
      setSigningOut(false);
    }
  };
  return (
    <div class="shell portal">
      <SkipLink />
      <header class="header">
        <Brand />
        <div class="header-tools">
          <LanguageSwitcher />
          {me !== null && (
            <>
              <span class="user" title={me.user.email} data-testid="portal-signed-in-as">
                {t('portal.signedInAs', { email: me.user.email })}
              </span>
              <button type="button" class="button button-ghost" onClick={() => void onSignOut()} disabled={signingOut}>
                {t('portal.signOut')}
              </button>
            </>
          )}
          <Link to={me === null ? '/login' : '/devices'} class="button button-ghost">
            {me === null ? t('portal.technicianSignIn') : t('portal.openConsole')}
          </Link>
        </div>
      </header>
      <main id="main" class="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

type Check =
  | { phase: 'idle' }
  /** `previous` stays on screen while a key already shown is checked again (a new command). */
  | { phase: 'checking'; digits: string; previous: PortalKeyView | null }
  | { phase: 'checked'; digits: string; view: PortalKeyView }
  | { phase: 'failed'; digits: string; error: unknown };

/** Why a key was refused, in words: the server never says whether it was unknown, used or expired. */
function CheckError({ error }: { error: unknown }) {
  const { t, describeError } = useI18n();
  if (error instanceof RequestError && error.code === 'session_key_invalid') {
    return (
      <ErrorMessage>
        <span data-code="session_key_invalid">{t('portal.invalid')}</span>
      </ErrorMessage>
    );
  }
  if (error instanceof RequestError && error.code === 'throttled') {
    // How long to wait is the server's to say (its sign-in throttle), in its words.
    return (
      <ErrorMessage>
        <span data-code="throttled">{t('portal.throttled')}</span>
        {error.message !== '' && <span class="alert-detail">{t('portal.serverSays', { message: error.message })}</span>}
      </ErrorMessage>
    );
  }
  if (error instanceof RequestError && error.code === 'bad_request') return <ErrorMessage>{t('portal.keyIncomplete')}</ErrorMessage>;
  return <ErrorMessage>{describeError(error)}</ErrorMessage>;
}

/** Status `ready`: how to run the agent, the command (with its one-time pass's countdown), the fingerprint. */
function JoinSteps({ join, now, busy, onNewCommand }: { join: PortalJoin; now: number; busy: boolean; onNewCommand(): void }) {
  const { t } = useI18n();
  const ticketLeft = join.ticket_expires_at === null ? null : secondsLeft(join.ticket_expires_at, now);
  const ticketExpired = ticketLeft === 0;
  return (
    <>
      <h3>{t('portal.stepsTitle')}</h3>
      <ol class="portal-steps">
        <li>{t('portal.step.install')}</li>
        <li>
          <p>{t('portal.step.run')}</p>
          {ticketExpired ? (
            <p class="alert alert-warning" role="status" data-testid="ticket-expired">
              {t('portal.ticketExpired')}
            </p>
          ) : (
            <CopyField label={t('portal.command')} text={join.command} copyLabel={t('portal.copyCommand')} command testId="join-command" />
          )}
          {ticketLeft !== null && (
            <div class="portal-ticket">
              {!ticketExpired && (
                <p class="countdown" role="timer" data-testid="ticket-expiry">
                  {t('portal.ticketExpiresIn', { time: formatCountdown(ticketLeft) })}
                </p>
              )}
              <button type="button" class={ticketExpired ? 'button button-primary' : 'button button-small'} onClick={onNewCommand} disabled={busy}>
                {busy ? t('portal.checking') : t('portal.newCommand')}
              </button>
            </div>
          )}
        </li>
        <li>{t('portal.step.keep')}</li>
      </ol>
      <dl class="facts">
        <dt>{t('portal.fingerprint')}</dt>
        <dd class="mono" data-testid="server-fingerprint">
          {join.server_fingerprint}
        </dd>
      </dl>
      <p class="hint">{t('portal.fingerprintHint')}</p>
    </>
  );
}

interface ResultProps {
  view: PortalKeyView;
  me: SignedIn | null;
  busy: boolean;
  headingRef: { current: HTMLHeadingElement | null };
  onRecheck(): void;
  onSignIn(): void;
  onSignInOther(): void;
  onSignOut(): void;
}

/** What a valid key leads to: who helps, until when, and the next step for this visitor. */
function KeyResult({ view, me, busy, headingRef, onRecheck, onSignIn, onSignInOther, onSignOut }: ResultProps) {
  const { t } = useI18n();
  const now = useNow(1000);
  const keyLeft = secondsLeft(view.expires_at, now);
  const company = view.company_name;

  let next;
  if (keyLeft === 0) {
    next = (
      <p class="alert alert-warning" role="status" data-testid="key-expired">
        {t('portal.keyExpired')}
      </p>
    );
  } else if (view.status === 'ready' && view.join !== null) {
    next = <JoinSteps join={view.join} now={now} busy={busy} onNewCommand={onRecheck} />;
  } else if (view.status === 'other_company') {
    next = (
      <div class="portal-status" data-status="other_company">
        <h3>{t('portal.otherCompanyTitle', { company })}</h3>
        <p>{t('portal.otherCompanyBody', { email: me?.user.email ?? '', company })}</p>
        <div class="form-actions">
          <button type="button" class="button button-primary" onClick={onSignInOther}>
            {t('portal.signInOther')}
          </button>
          <button type="button" class="button" onClick={onSignOut}>
            {t('portal.signOut')}
          </button>
        </div>
      </div>
    );
  } else {
    // `sign_in_required` (and `ready` without a command, which the server never sends).
    next = (
      <div class="portal-status" data-status="sign_in_required">
        <h3>{t('portal.signInTitle')}</h3>
        <p>{t('portal.signInBody', { company })}</p>
        <button type="button" class="button button-primary" onClick={onSignIn}>
          {t('portal.signIn')}
        </button>
      </div>
    );
  }

  return (
    <section class="card portal-result" aria-labelledby="portal-helper" data-portal-status={view.status}>
      <h2 id="portal-helper" ref={headingRef} tabIndex={-1}>
        {t('portal.helper', { technician: view.technician_name, company })}
      </h2>
      {keyLeft > 0 && (
        <p class="countdown" role="timer" data-testid="key-expiry">
          {t('portal.keyExpiresIn', { time: formatCountdown(keyLeft) })}
        </p>
      )}
      {next}
    </section>
  );
}

export function PortalPage({ me, keyParam }: { me: SignedIn | null; keyParam: string | null }) {
  const { t } = useI18n();
  const [input, setInput] = useState(() => groupKey(keyDigits(keyParam ?? '')));
  const [incomplete, setIncomplete] = useState(false);
  const [check, setCheck] = useState<Check>({ phase: 'idle' });
  const inputRef = useRef<HTMLInputElement>(null);
  const headingRef = useRef<HTMLHeadingElement | null>(null);
  // Answers to an older check (or after leaving) must not overwrite newer ones.
  const generation = useRef(0);
  // The key to check again when who is signed in changes; the link's, on arrival.
  const lastDigits = useRef<string | null>(keyParam !== null && isCompleteKey(keyParam) ? keyDigits(keyParam) : null);
  const focusResult = useRef(false);
  const userId = me?.user.id ?? null;

  const run = useCallback(async (digits: string, previous: PortalKeyView | null): Promise<void> => {
    const mine = ++generation.current;
    lastDigits.current = digits;
    setCheck({ phase: 'checking', digits, previous });
    // The address carries the key, so a reload or a sign-in comes back to it.
    navigate(portalPath(digits), { replace: true });
    try {
      const body: PortalKeyCheck = { key: digits };
      const view = await api.post<PortalKeyView>('/api/portal/keys/check', body);
      if (mine === generation.current) setCheck({ phase: 'checked', digits, view });
    } catch (error) {
      if (mine === generation.current) setCheck({ phase: 'failed', digits, error });
    }
  }, []);

  // On arrival with a key in the link, and whenever someone signs in or out here.
  useEffect(() => {
    if (lastDigits.current !== null) void run(lastDigits.current, null);
  }, [userId, run]);

  useEffect(
    () => () => {
      generation.current++;
    },
    [],
  );

  useEffect(() => {
    if (check.phase === 'checked' && focusResult.current) {
      focusResult.current = false;
      headingRef.current?.focus();
    }
  }, [check]);

  const onSubmit = (event: Event): void => {
    event.preventDefault();
    if (!isCompleteKey(input)) {
      setIncomplete(true);
      inputRef.current?.focus();
      return;
    }
    setIncomplete(false);
    focusResult.current = true;
    void run(keyDigits(input), null);
  };

  const onInput = (field: HTMLInputElement): void => {
    const { value, caret } = reformatKeyInput(field.value, field.selectionStart ?? field.value.length);
    field.value = value;
    field.setSelectionRange(caret, caret);
    setInput(value);
    setIncomplete(false);
  };

  const digits = check.phase === 'idle' ? '' : check.digits;
  const toSignIn = (): void => navigate(`/login?next=${encodeURIComponent(portalPath(digits))}`);
  const signOutHere = async (): Promise<void> => {
    try {
      await signOut();
    } catch {
      // Signed out locally all the same (auth.ts).
    }
  };

  let result = null;
  if (check.phase === 'checking' && check.previous === null) {
    result = <Loading label={t('portal.checking')} />;
  } else if (check.phase === 'failed') {
    result = <CheckError error={check.error} />;
  } else if (check.phase === 'checked' || (check.phase === 'checking' && check.previous !== null)) {
    const view = check.phase === 'checked' ? check.view : check.previous;
    if (view !== null) {
      result = (
        <KeyResult
          view={view}
          me={me}
          busy={check.phase === 'checking'}
          headingRef={headingRef}
          onRecheck={() => void run(check.digits, view)}
          onSignIn={toSignIn}
          onSignInOther={() => void signOutHere().then(toSignIn)}
          onSignOut={() => void signOutHere()}
        />
      );
    }
  }

  const busy = check.phase === 'checking';
  return (
    <section class="page portal-page">
      <form class="card portal-card" onSubmit={onSubmit} aria-labelledby="portal-title" noValidate>
        <h1 id="portal-title">{t('portal.title')}</h1>
        <p class="muted">{t('portal.subtitle')}</p>
        {incomplete && <ErrorMessage id="portal-key-error">{t('portal.keyIncomplete')}</ErrorMessage>}
        <div class="field">
          <label for="portal-key">{t('portal.keyLabel')}</label>
          <div class="portal-key-row">
            <input
              id="portal-key"
              ref={inputRef}
              class="session-key-input"
              type="text"
              inputMode="numeric"
              autocomplete="off"
              spellcheck={false}
              autofocus={lastDigits.current === null}
              placeholder="123 456 789"
              aria-describedby={incomplete ? 'portal-key-error portal-key-hint' : 'portal-key-hint'}
              aria-invalid={incomplete ? 'true' : undefined}
              value={input}
              onInput={(event) => onInput(event.currentTarget)}
            />
            <button type="submit" class="button button-primary" disabled={busy}>
              {busy ? t('portal.checking') : t('portal.check')}
            </button>
          </div>
          <small id="portal-key-hint" class="hint">
            {t('portal.keyHint')}
          </small>
        </div>
      </form>
      {result}
    </section>
  );
}
