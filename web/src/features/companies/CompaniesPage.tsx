// The server's companies, for operators: listing, creating (with the first
// administrator, who becomes the owner) and renaming. Being an operator grants
// nothing inside a company, so this page shows no company's users or devices.

import { useMemo, useState } from 'preact/hooks';
import type { CompanyView, SignedIn } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { EmptyCard, LoadedList } from '../../ui/feedback.tsx';
import { PageHeader, Table } from '../../ui/page.tsx';
import { upserted, useResource } from '../../ui/resource.ts';
import { NewCompanyDialog, RenameCompanyDialog } from './CompanyDialogs.tsx';

export function CompaniesPage({ me }: { me: SignedIn }) {
  const { t, dateTime } = useI18n();
  const companies = useResource<CompanyView[]>('/api/companies');
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<CompanyView | null>(null);

  const list = useMemo(() => (companies.data === null ? null : [...companies.data].sort((a, b) => a.name.localeCompare(b.name))), [companies.data]);

  const put = (company: CompanyView): void => companies.update((current) => upserted(current, company));

  const addButton = (
    <button type="button" class="button button-primary" onClick={() => setCreating(true)}>
      {t('companies.add')}
    </button>
  );

  return (
    <section class="page">
      <PageHeader title={t('companies.title')} subtitle={t('companies.subtitle')}>
        {addButton}
      </PageHeader>
      <LoadedList
        items={list}
        error={companies.error}
        empty={
          <EmptyCard title={t('companies.emptyTitle')} body={t('companies.emptyBody')}>
            {addButton}
          </EmptyCard>
        }
      >
        {(items) => (
          <Table
            caption={t('companies.caption', { count: items.length })}
            columns={[t('companies.col.name'), t('companies.col.passwordSignIn'), t('companies.col.created')]}
            actions
          >
            {items.map((company) => (
              <tr key={company.id} data-company-id={company.id}>
                <th scope="row" data-label={t('companies.col.name')}>
                  <span class="name-with-badges">
                    {company.name}
                    {company.id === me.user.company_id && <span class="badge badge-you">{t('companies.yours')}</span>}
                  </span>
                </th>
                <td data-label={t('companies.col.passwordSignIn')}>{company.settings.password_sign_in ? t('companies.on') : t('companies.off')}</td>
                <td data-label={t('companies.col.created')}>{dateTime(company.created_at)}</td>
                <td class="actions">
                  <button
                    type="button"
                    class="button button-small"
                    aria-label={t('companies.renameCompany', { name: company.name })}
                    onClick={() => setRenaming(company)}
                  >
                    {t('companies.rename')}
                  </button>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </LoadedList>
      {creating && <NewCompanyDialog onClose={() => setCreating(false)} onCreated={put} />}
      {renaming !== null && (
        <RenameCompanyDialog
          company={renaming}
          onClose={() => setRenaming(null)}
          onRenamed={(company) => {
            put(company);
            setRenaming(null);
          }}
        />
      )}
    </section>
  );
}
