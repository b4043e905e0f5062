import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/http.ts';
import type { CreateEnrollmentToken, EnrollmentTokenCreated, EnrollmentTokenView } from '../../gen/proto.ts';
import { useI18n, type MessageKey } from '../../i18n/index.ts';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { CopyField } from '../../ui/copy.tsx';
import { ErrorMessage, Loading } from '../../ui/feedback.tsx';
import { useNow } from '../../ui/store.ts';

export const EXPIRY_CHOICES: { seconds: number; key: MessageKey }[] = [
  { seconds: 3600, key: 'enrollment.expiry.1h' },
  { seconds: 86_400, key: 'enrollment.expiry.24h' },
  { seconds: 7 * 86_400, key: 'enrollment.expiry.7d' },
  { seconds: 30 * 86_400, key: 'enrollment.expiry.30d' },
];

/** The command a technician runs on the device to enroll it. */
export function enrollCommand(origin: string, created: EnrollmentTokenCreated): string {
  return `reach agent enroll --server ${origin} --token ${created.token} --fingerprint ${created.server_fingerprint} --name <NICKNAME>`;
}

type TokenStatus = 'active' | 'revoked' | 'expired' | 'exhausted';

export function tokenStatus(token: EnrollmentTokenView, now: number): TokenStatus {
  if (token.revoked) return 'revoked';
  if (token.expires_at <= now) return 'expired';
  if (token.uses >= token.max_uses) return 'exhausted';
  return 'active';
}

function CreatedToken({ created, onDismiss }: { created: EnrollmentTokenCreated; onDismiss(): void }) {
  const { t } = useI18n();
  const command = enrollCommand(location.origin, created);
  return (
    <div class="card created-token" role="region" aria-labelledby="created-title">
      <h2 id="created-title">{t('enrollment.createdTitle')}</h2>
      <p class="alert alert-warning">{t('enrollment.createdOnce')}</p>
      <CopyField label={t('enrollment.token')} text={created.token} copyLabel={t('enrollment.copyToken')} testId="enrollment-token" />
      <CopyField label={t('enrollment.command')} text={command} copyLabel={t('enrollment.copyCommand')} command hint={t('enrollment.commandHint')} />
      <button type="button" class="button" onClick={onDismiss}>
        {t('enrollment.done')}
      </button>
    </div>
  );
}

export function EnrollmentPage() {
  const { t, describeError, dateTime, relativeTime } = useI18n();
  const now = useNow(30_000);
  const [tokens, setTokens] = useState<EnrollmentTokenView[] | null>(null);
  const [listError, setListError] = useState<unknown>(null);
  const [maxUses, setMaxUses] = useState('1');
  const [expiresIn, setExpiresIn] = useState(86_400);
  const [group, setGroup] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<EnrollmentTokenCreated | null>(null);
  const [revoking, setRevoking] = useState<EnrollmentTokenView | null>(null);
  const [revokeBusy, setRevokeBusy] = useState(false);

  const load = async (): Promise<void> => {
    try {
      const list = await api.get<EnrollmentTokenView[]>('/api/enrollment-tokens');
      setTokens([...list].sort((a, b) => b.created_at - a.created_at));
      setListError(null);
    } catch (caught) {
      setListError(caught);
    }
  };

  useEffect(() => {
    void load();
  }, []);

  const create = async (event: Event): Promise<void> => {
    event.preventDefault();
    const uses = Number(maxUses);
    if (!Number.isInteger(uses) || uses < 1 || uses > 100_000) {
      setFormError(t('enrollment.maxUsesInvalid'));
      return;
    }
    setCreating(true);
    setFormError(null);
    try {
      const body: CreateEnrollmentToken = {
        max_uses: uses,
        expires_in_secs: expiresIn,
        device_group: group.trim() === '' ? null : group.trim(),
      };
      const result = await api.post<EnrollmentTokenCreated>('/api/enrollment-tokens', body);
      setCreated(result);
      setTokens((list) => [result.view, ...(list ?? []).filter((token) => token.id !== result.view.id)]);
      setGroup('');
    } catch (caught) {
      setFormError(describeError(caught));
    } finally {
      setCreating(false);
    }
  };

  const revoke = async (): Promise<void> => {
    if (revoking === null) return;
    setRevokeBusy(true);
    try {
      await api.post<unknown>(`/api/enrollment-tokens/${encodeURIComponent(revoking.id)}/revoke`);
      await load();
    } catch (caught) {
      setListError(caught);
    } finally {
      setRevokeBusy(false);
      setRevoking(null);
    }
  };

  return (
    <section class="page">
      <div class="page-header">
        <div>
          <h1>{t('enrollment.title')}</h1>
          <p class="muted">{t('enrollment.subtitle')}</p>
        </div>
      </div>

      {created !== null && <CreatedToken created={created} onDismiss={() => setCreated(null)} />}

      <form class="card form-inline" onSubmit={(event) => void create(event)} aria-labelledby="create-title">
        <h2 id="create-title">{t('enrollment.createTitle')}</h2>
        {formError !== null && <ErrorMessage>{formError}</ErrorMessage>}
        <div class="form-grid">
          <div class="field">
            <label for="token-max-uses">{t('enrollment.maxUses')}</label>
            <input
              id="token-max-uses"
              type="number"
              min={1}
              max={100000}
              step={1}
              required
              value={maxUses}
              onInput={(event) => setMaxUses(event.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="token-expiry">{t('enrollment.expiresIn')}</label>
            <select id="token-expiry" value={String(expiresIn)} onChange={(event) => setExpiresIn(Number(event.currentTarget.value))}>
              {EXPIRY_CHOICES.map((choice) => (
                <option key={choice.seconds} value={String(choice.seconds)}>
                  {t(choice.key)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="token-group">{t('enrollment.group')}</label>
            <input
              id="token-group"
              type="text"
              placeholder={t('enrollment.groupPlaceholder')}
              aria-describedby="token-group-hint"
              value={group}
              onInput={(event) => setGroup(event.currentTarget.value)}
            />
            <small id="token-group-hint" class="hint">
              {t('enrollment.groupHint')}
            </small>
          </div>
          <div class="field field-submit">
            <button type="submit" class="button button-primary" disabled={creating}>
              {creating ? t('enrollment.creating') : t('enrollment.create')}
            </button>
          </div>
        </div>
      </form>

      <h2 class="section-title">{t('enrollment.listTitle')}</h2>
      {listError !== null && <ErrorMessage>{describeError(listError)}</ErrorMessage>}
      {tokens === null ? (
        listError === null && <Loading label={t('common.loading')} />
      ) : tokens.length === 0 ? (
        <p class="empty-filter">{t('enrollment.empty')}</p>
      ) : (
        <div class="table-wrap card">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{t('enrollment.col.created')}</th>
                <th scope="col">{t('enrollment.col.group')}</th>
                <th scope="col">{t('enrollment.col.uses')}</th>
                <th scope="col">{t('enrollment.col.expires')}</th>
                <th scope="col">{t('enrollment.col.status')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((token) => {
                const status = tokenStatus(token, now);
                return (
                  <tr key={token.id} class={status === 'active' ? undefined : 'row-muted'}>
                    <td data-label={t('enrollment.col.created')}>{dateTime(token.created_at)}</td>
                    <td data-label={t('enrollment.col.group')}>{token.device_group ?? '—'}</td>
                    <td data-label={t('enrollment.col.uses')}>{t('enrollment.usesOf', { uses: token.uses, max: token.max_uses })}</td>
                    <td data-label={t('enrollment.col.expires')}>
                      <time dateTime={new Date(token.expires_at).toISOString()} title={dateTime(token.expires_at)}>
                        {relativeTime(token.expires_at, now)}
                      </time>
                    </td>
                    <td data-label={t('enrollment.col.status')}>
                      <span class={`badge badge-token-${status}`}>{t(`enrollment.status.${status}`)}</span>
                    </td>
                    <td class="actions">
                      {status === 'active' && (
                        <button type="button" class="button button-danger-ghost button-small" onClick={() => setRevoking(token)}>
                          {t('enrollment.revoke')}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={revoking !== null}
        title={t('enrollment.revokeTitle')}
        message={t('enrollment.revokeBody')}
        confirmLabel={t('enrollment.revoke')}
        busy={revokeBusy}
        onConfirm={() => void revoke()}
        onCancel={() => setRevoking(null)}
      />
    </section>
  );
}
