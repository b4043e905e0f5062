// The company's API tokens: what each acts as, may do and until when, when it was
// last used; creating one (shown once) and revoking one. Tokens call `/api/v1`,
// described by the OpenAPI document the server serves.

import { useMemo, useState } from 'preact/hooks';
import { api, itemPath } from '../../api/http.ts';
import type { ApiTokenView, SignedIn } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { EmptyCard, ErrorMessage, LoadedList } from '../../ui/feedback.tsx';
import { PageHeader, Table } from '../../ui/page.tsx';
import { upserted, useResource } from '../../ui/resource.ts';
import { useNow } from '../../ui/store.ts';
import { CompanyTabs } from '../company/CompanyTabs.tsx';
import { NewApiTokenDialog } from './NewApiTokenDialog.tsx';
import { apiTokenState, sortApiTokens } from './tokens.ts';

export function ApiTokensPage({ me }: { me: SignedIn }) {
  const { t, dateTime, relativeTime, describeError } = useI18n();
  const now = useNow(30_000);
  const tokens = useResource<ApiTokenView[]>('/api/api-tokens');
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiTokenView | null>(null);
  const [revokeBusy, setRevokeBusy] = useState(false);
  const [revokeError, setRevokeError] = useState<unknown>(null);

  const list = useMemo(() => (tokens.data === null ? null : sortApiTokens(tokens.data, now)), [tokens.data, now]);
  const put = (token: ApiTokenView): void => tokens.update((current) => upserted(current, token));

  const revoke = async (token: ApiTokenView): Promise<void> => {
    setRevokeBusy(true);
    setRevokeError(null);
    try {
      put(await api.post<ApiTokenView>(`${itemPath('/api/api-tokens', token.id)}/revoke`, {}));
      setRevoking(null);
    } catch (caught) {
      setRevokeError(caught);
      setRevoking(null);
    } finally {
      setRevokeBusy(false);
    }
  };

  const addButton = (
    <button type="button" class="button button-primary" onClick={() => setCreating(true)}>
      {t('apiTokens.add')}
    </button>
  );

  return (
    <section class="page">
      <PageHeader title={t('apiTokens.title')} subtitle={t('apiTokens.subtitle')}>
        <a class="button" href="/api/v1/openapi.json" target="_blank" rel="noopener">
          {t('apiTokens.openapi')}
        </a>
        {addButton}
      </PageHeader>
      <CompanyTabs me={me} current="api-tokens" />
      {revokeError !== null && <ErrorMessage>{describeError(revokeError)}</ErrorMessage>}
      <LoadedList
        items={list}
        error={tokens.error}
        empty={
          <EmptyCard title={t('apiTokens.emptyTitle')} body={t('apiTokens.emptyBody')}>
            {addButton}
          </EmptyCard>
        }
      >
        {(items) => (
          <Table
            caption={t('apiTokens.caption', { count: items.length })}
            columns={[t('apiTokens.col.name'), t('apiTokens.col.actsAs'), t('apiTokens.col.scopes'), t('apiTokens.col.expires'), t('apiTokens.col.lastUsed')]}
            actions
            testId="api-tokens"
          >
            {items.map((token) => {
              const state = apiTokenState(token, now);
              return (
                <tr key={token.id} data-token-id={token.id} class={state === 'active' ? undefined : 'row-inactive'}>
                  <th scope="row" data-label={t('apiTokens.col.name')}>
                    <span class="name-with-badges">
                      {token.name}
                      <span class={`badge badge-token-${state}`}>{t(`apiTokens.state.${state}`)}</span>
                    </span>
                  </th>
                  <td data-label={t('apiTokens.col.actsAs')}>{token.user_id === null ? t('apiTokens.company') : (token.user_email ?? t('apiTokens.formerMember'))}</td>
                  <td data-label={t('apiTokens.col.scopes')}>
                    <ul class="scope-names">
                      {token.scopes.map((scope) => (
                        <li key={scope}>{t(`permission.${scope}`)}</li>
                      ))}
                    </ul>
                  </td>
                  <td data-label={t('apiTokens.col.expires')} title={dateTime(token.expires_at)}>
                    {relativeTime(token.expires_at, now)}
                  </td>
                  <td data-label={t('apiTokens.col.lastUsed')}>{token.last_used_at === null ? t('apiTokens.neverUsed') : relativeTime(token.last_used_at, now)}</td>
                  <td class="actions">
                    {!token.revoked && (
                      <button type="button" class="button button-small button-danger" aria-label={t('apiTokens.revokeToken', { name: token.name })} onClick={() => setRevoking(token)}>
                        {t('apiTokens.revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </Table>
        )}
      </LoadedList>
      {creating && <NewApiTokenDialog me={me} onClose={() => setCreating(false)} onCreated={put} />}
      <ConfirmDialog
        open={revoking !== null}
        title={t('apiTokens.revokeTitle')}
        message={revoking === null ? '' : t('apiTokens.revokeBody', { name: revoking.name })}
        confirmLabel={t('apiTokens.revoke')}
        busy={revokeBusy}
        onConfirm={() => revoking !== null && void revoke(revoking)}
        onCancel={() => setRevoking(null)}
      />
    </section>
  );
}
