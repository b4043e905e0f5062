// The company's single sign-on domains. A domain is claimed, then proven with a
// DNS TXT record: once verification starts the server looks for the record at
// once and then periodically for 24 hours. Changes (a check that succeeded or
// gave up, another administrator's edit) arrive on the event feed.

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, itemPath } from '../../api/http.ts';
import type { SignedIn, SsoDomainView } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { CopyField } from '../../ui/copy.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { EmptyCard, ErrorMessage, LoadedList } from '../../ui/feedback.tsx';
import { PageHeader } from '../../ui/page.tsx';
import { upserted, useResource } from '../../ui/resource.ts';
import { useNow, useStore } from '../../ui/store.ts';
import { can } from '../auth/auth.ts';
import { CompanyTabs } from '../company/CompanyTabs.tsx';
import { feedStatus, onSsoDomainChanged } from '../live/live.ts';
import { AddDomainDialog } from './AddDomainDialog.tsx';
import { DomainOwners } from './DomainOwners.tsx';
import { ProvisioningCard } from './ProvisioningCard.tsx';
import { SingleSignOnSection } from './SingleSignOnSection.tsx';
import { applyDomainChange, failureKey, sortDomains } from './domains.ts';

/** Keeps `domains` equal to the server's: every pushed change, and a fresh load after the feed comes back. */
function useLiveDomains() {
  const domains = useResource<SsoDomainView[]>('/api/sso-domains');
  const { update, reload } = domains;
  useEffect(() => onSsoDomainChanged((domain, removed) => update((current) => applyDomainChange(current, domain, removed))), [update]);
  // Changes pushed while the feed was down are lost: load again when it is back.
  const status = useStore(feedStatus);
  const previous = useRef(status);
  useEffect(() => {
    if (status === 'live' && previous.current !== 'live') void reload();
    previous.current = status;
  }, [status, reload]);
  return domains;
}

function DomainCard({ domain, now, onVerify, onRemove, busy }: { domain: SsoDomainView; now: number; onVerify(): void; onRemove(): void; busy: boolean }) {
  const { t, dateTime, relativeTime } = useI18n();
  const headingId = `domain-${domain.id}`;
  return (
    <article class="card domain-card" aria-labelledby={headingId} data-domain={domain.domain}>
      <header class="domain-head">
        <h2 id={headingId} class="name-with-badges">
          {domain.domain}
          <span class={`badge badge-domain-${domain.status}`} data-testid="domain-status">
            {t(`sso.status.${domain.status}`)}
          </span>
        </h2>
        <div class="domain-actions">
          {domain.status !== 'verified' && (
            <button type="button" class="button button-small button-primary" onClick={onVerify} disabled={busy}>
              {domain.status === 'unverified' ? t('sso.verify') : domain.status === 'verifying' ? t('sso.checkNow') : t('sso.retry')}
            </button>
          )}
          <button type="button" class="button button-small button-danger" aria-label={t('sso.removeDomain', { domain: domain.domain })} onClick={onRemove}>
            {t('common.delete')}
          </button>
        </div>
      </header>
      {domain.status === 'verified' && domain.verified_at !== null && <p>{t('sso.verifiedOn', { date: dateTime(domain.verified_at) })}</p>}
      {domain.status === 'verifying' && (
        <p role="status">
          {t('sso.verifyingBody', {
            checked: domain.checked_at === null ? t('sso.notYetChecked') : relativeTime(domain.checked_at, now),
            until: domain.verification_ends_at === null ? '—' : dateTime(domain.verification_ends_at),
          })}
        </p>
      )}
      {domain.status === 'failed' && <p class="alert alert-error">{t(failureKey(domain.failure))}</p>}
      {domain.status !== 'verified' && (
        <div class="domain-record">
          <p>{t('sso.recordIntro')}</p>
          <div class="form-grid">
            <CopyField label={t('sso.recordName')} text={domain.txt_name} copyLabel={t('sso.copyRecordName')} />
            <CopyField label={t('sso.recordValue')} text={domain.txt_value} copyLabel={t('sso.copyRecordValue')} testId="txt-value" />
          </div>
          <small class="hint">{t('sso.recordHint')}</small>
        </div>
      )}
      <DomainOwners domain={domain} />
      <SingleSignOnSection domain={domain} />
    </article>
  );
}

export function SsoPage({ me }: { me: SignedIn }) {
  const { t, describeError } = useI18n();
  const now = useNow(15_000);
  const domains = useLiveDomains();
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<SsoDomainView | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  const list = useMemo(() => (domains.data === null ? null : sortDomains(domains.data)), [domains.data]);
  const put = (domain: SsoDomainView): void => domains.update((current) => upserted(current, domain));

  const act = async (domain: SsoDomainView, task: () => Promise<void>): Promise<void> => {
    setBusyId(domain.id);
    setActionError(null);
    try {
      await task();
    } catch (caught) {
      setActionError(caught);
    } finally {
      setBusyId(null);
    }
  };

  const verify = (domain: SsoDomainView): Promise<void> =>
    act(domain, async () => put(await api.post<SsoDomainView>(`${itemPath('/api/sso-domains', domain.id)}/verify`, {})));

  const remove = (domain: SsoDomainView): Promise<void> =>
    act(domain, async () => {
      setRemoving(null);
      await api.delete(itemPath('/api/sso-domains', domain.id));
      domains.update((current) => applyDomainChange(current, domain, true));
    });

  // Owners of a domain manage it, but only the company-wide permission adds domains.
  const addButton = can(me, 'sso.manage') ? (
    <button type="button" class="button button-primary" onClick={() => setAdding(true)}>
      {t('sso.addDomain')}
    </button>
  ) : null;

  return (
    <section class="page">
      <PageHeader title={t('sso.title')} subtitle={t('sso.subtitle')}>
        {addButton}
      </PageHeader>
      <CompanyTabs me={me} current="sso" />
      {actionError !== null && <ErrorMessage>{describeError(actionError)}</ErrorMessage>}
      <LoadedList
        items={list}
        error={domains.error}
        empty={
          <EmptyCard title={t('sso.emptyTitle')} body={t('sso.emptyBody')}>
            {addButton}
          </EmptyCard>
        }
      >
        {(items) => (
          <div class="domain-list" data-testid="sso-domains">
            {items.map((domain) => (
              <DomainCard
                key={domain.id}
                domain={domain}
                now={now}
                busy={busyId === domain.id}
                onVerify={() => void verify(domain)}
                onRemove={() => setRemoving(domain)}
              />
            ))}
          </div>
        )}
      </LoadedList>
      <ProvisioningCard me={me} />
      {adding && (
        <AddDomainDialog
          onClose={() => setAdding(false)}
          onAdded={(domain) => {
            put(domain);
            setAdding(false);
          }}
        />
      )}
      <ConfirmDialog
        open={removing !== null}
        title={t('sso.removeTitle')}
        message={removing === null ? '' : t(removing.status === 'verified' ? 'sso.removeVerifiedBody' : 'sso.removeBody', { domain: removing.domain })}
        confirmLabel={t('common.delete')}
        busy={busyId !== null}
        onConfirm={() => removing !== null && void remove(removing)}
        onCancel={() => setRemoving(null)}
      />
    </section>
  );
}
