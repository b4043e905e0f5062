// The addresses of a domain that keep signing in with a password, one per line:
// a fallback for when the identity provider is down or misconfigured.

import { useId, useState } from 'preact/hooks';
import { api, itemPath } from '../../api/http.ts';
import type { SamlSettingsView, SsoDomainView, SsoExclusions } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { FormDialog } from '../../ui/dialog.tsx';
import { useSubmit } from '../../ui/form.tsx';
import { parseAddresses } from './domains.ts';

interface Props {
  domain: SsoDomainView;
  current: readonly string[];
  onClose(): void;
  onSaved(settings: SamlSettingsView): void;
}

export function ExclusionsDialog({ domain, current, onClose, onSaved }: Props) {
  const { t, describeError } = useI18n();
  const formId = useId();
  const [text, setText] = useState(current.join('\n'));
  const submission = useSubmit();

  const onSubmit = (): void => {
    const body: SsoExclusions = { emails: parseAddresses(text) };
    void submission.run(async () => {
      onSaved(await api.put<SamlSettingsView>(`${itemPath('/api/sso-domains', domain.id)}/exclusions`, body));
    });
  };

  return (
    <FormDialog
      id={formId}
      title={t('saml.exclusionsTitle', { domain: domain.domain })}
      onClose={onClose}
      onSubmit={onSubmit}
      submitLabel={t('common.save')}
      busyLabel={t('common.saving')}
      busy={submission.busy}
      error={submission.error === null ? null : describeError(submission.error)}
    >
      <div class="field">
        <label for={`${formId}-emails`}>{t('saml.exclusions')}</label>
        <textarea id={`${formId}-emails`} class="mono" rows={6} spellcheck={false} autofocus value={text} onInput={(event) => setText(event.currentTarget.value)} />
        <small class="hint">{t('saml.exclusionsHint')}</small>
      </div>
    </FormDialog>
  );
}
