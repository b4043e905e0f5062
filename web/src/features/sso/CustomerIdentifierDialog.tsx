// Generates a domain's customer identifier: the identity provider must send it as
// the `customeridentifier` attribute of every assertion. Shown once; Reach keeps
// only its hash, so a lost one is replaced, not shown again.

import { useId, useState } from 'preact/hooks';
import { api, itemPath } from '../../api/http.ts';
import type { CustomerIdentifierCreated, SsoDomainView } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { CopyField } from '../../ui/copy.tsx';
import { FormDialog } from '../../ui/dialog.tsx';
import { useSubmit } from '../../ui/form.tsx';

interface Props {
  domain: SsoDomainView;
  /** One exists already: the new one replaces it. */
  replacing: boolean;
  onClose(): void;
  onGenerated(): void;
}

export function CustomerIdentifierDialog({ domain, replacing, onClose, onGenerated }: Props) {
  const { t, describeError } = useI18n();
  const formId = useId();
  const submission = useSubmit();
  const [created, setCreated] = useState<CustomerIdentifierCreated | null>(null);

  const onSubmit = (): void => {
    void submission.run(async () => {
      setCreated(await api.post<CustomerIdentifierCreated>(`${itemPath('/api/sso-domains', domain.id)}/saml/customer-identifier`, {}));
      onGenerated();
    });
  };

  return (
    <FormDialog
      id={formId}
      title={t('saml.customerTitle', { domain: domain.domain })}
      onClose={onClose}
      onSubmit={onSubmit}
      submitLabel={t('saml.generate')}
      danger={replacing}
      busy={submission.busy}
      error={submission.error === null ? null : describeError(submission.error)}
      outcome={
        created === null
          ? null
          : {
              title: t('saml.customerCreatedTitle'),
              children: (
                <div class="created-secret">
                  <p class="alert alert-warning">{t('saml.customerOnce')}</p>
                  <CopyField
                    label={t('saml.customerIdentifier')}
                    text={created.customer_identifier}
                    copyLabel={t('saml.copyCustomerIdentifier')}
                    testId="customer-identifier"
                    hint={t('saml.customerAttributeHint')}
                  />
                </div>
              ),
            }
      }
    >
      <p>{t('saml.customerBody')}</p>
      {replacing && <p class="alert alert-warning">{t('saml.customerReplaces')}</p>}
    </FormDialog>
  );
}
