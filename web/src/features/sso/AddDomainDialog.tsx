// Claims an e-mail domain for the company. Nothing changes for anyone until the
// domain is verified; the page then shows the DNS record that proves it.

import { useId, useState } from 'preact/hooks';
import { api } from '../../api/http.ts';
import type { AddSsoDomain, SsoDomainView } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { FormDialog } from '../../ui/dialog.tsx';
import { TextField, useSubmit } from '../../ui/form.tsx';

export function AddDomainDialog({ onClose, onAdded }: { onClose(): void; onAdded(domain: SsoDomainView): void }) {
  const { t, describeError } = useI18n();
  const formId = useId();
  const [domain, setDomain] = useState('');
  const submission = useSubmit();

  const onSubmit = (): void => {
    void submission.run(async () => {
      const body: AddSsoDomain = { domain: domain.trim() };
      onAdded(await api.post<SsoDomainView>('/api/sso-domains', body));
    });
  };

  return (
    <FormDialog
      id={formId}
      title={t('sso.addTitle')}
      onClose={onClose}
      onSubmit={onSubmit}
      submitLabel={t('sso.add')}
      busyLabel={t('sso.adding')}
      busy={submission.busy}
      error={submission.error === null ? null : describeError(submission.error)}
    >
      <TextField
        id={`${formId}-domain`}
        label={t('sso.domain')}
        required
        autofocus
        maxLength={253}
        autocomplete="off"
        hint={t('sso.domainHint')}
        value={domain}
        onInput={setDomain}
      />
    </FormDialog>
  );
}
