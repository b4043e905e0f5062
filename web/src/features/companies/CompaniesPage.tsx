// The server's companies, for operators: listing, creating (with the first
// administrator, who becomes the owner) and renaming. Being an operator grants
// nothing inside a company, so this page shows no company's users or devices.

import { useMemo, useState } from 'preact/hooks';
import type { CompanyView, SignedIn } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { EmptyCard, ErrorMessage, Loading } from '../../ui/feedback.tsx';
import { useResource } from '../../ui/resource.ts';
import { NewCompanyDialog, RenameCompanyDialog } from './CompanyDialogs.tsx';

export function CompaniesPage({ me }: { me: SignedIn }) {
  const { t, describeError, dateTime } = useI18n();
  const companies = useResource<CompanyView[]>('/api/companies');
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<CompanyView | null>(null);

  const list = useMemo(() => (companies.data === null ? null : [...companies.data].sort((a, b) => a.name.localeCompare(b.name))), [companies.data]);

  const put = (company: CompanyView): void => {
    companies.update((current) => [...(current ?? []).filter((existing) => existing.id !== company.id), company]);
  };

  const addButton = (
    <button type="button" class="button button-primary" onClick={() => setCreating(true)}>
      {t('companies.add')}
    </button>
  );

  let body;
  if (list === null) {
    body = companies.error !== null ? <ErrorMessage>{describeError(companies.error)}</ErrorMessage> : <Loading label={t('common.loading')} />;
  } else if (list.length === 0) {
    body = (
      <EmptyCard title={t('companies.emptyTitle')} body={t('companies.emptyBody')}>
        {addButton}
      </EmptyCard>
    );
  } else {
    body = (
      <div class="table-wrap card">
        <table class="table">
          <caption class="visually-hidden">{t('companies.caption', { count: list.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('companies.col.name')}</th>
              <th scope="col">{t('companies.col.passwordSignIn')}</th>
              <th scope="col">{t('companies.col.created')}</th>
              <th scope="col">
                <span class="visually-hidden">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((company) => (
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
          </tbody>
        </table>
      </div>
    );
  }

  return (
    <section class="page">
      <div class="page-header">
        <div>
          <h1>{t('companies.title')}</h1>
          <p class="muted">{t('companies.subtitle')}</p>
        </div>
        <div class="page-actions">{addButton}</div>
      </div>
      {list !== null && companies.error !== null && <ErrorMessage>{describeError(companies.error)}</ErrorMessage>}
      {body}
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
