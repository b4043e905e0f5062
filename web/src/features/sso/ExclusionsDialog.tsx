// Who keeps signing in with a password on a domain under single sign-on: addresses
// (one per line) and user groups. A fallback for when the identity provider is
// down or misconfigured. Listing groups needs `users.manage`; without it the
// dialog edits the addresses only and leaves the groups as they are.

import { useId, useState } from 'preact/hooks';
import { api, itemPath } from '../../api/http.ts';
import type { SamlSettingsView, SsoDomainView, SsoExclusions, UserGroupView } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { Checkbox } from '../../ui/checkbox.tsx';
import { FormDialog } from '../../ui/dialog.tsx';
import { toggled, useSubmit } from '../../ui/form.tsx';
import { useResource } from '../../ui/resource.ts';
import { parseAddresses } from './domains.ts';

interface Props {
  domain: SsoDomainView;
  emails: readonly string[];
  groupIds: readonly string[];
  onClose(): void;
  onSaved(settings: SamlSettingsView): void;
}

export function ExclusionsDialog({ domain, emails, groupIds, onClose, onSaved }: Props) {
  const { t, describeError } = useI18n();
  const formId = useId();
  const [text, setText] = useState(emails.join('\n'));
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set(groupIds));
  const groups = useResource<UserGroupView[]>('/api/user-groups');
  const submission = useSubmit();

  const onSubmit = (): void => {
    const body: SsoExclusions = { emails: parseAddresses(text) };
    // Only groups the administrator could see and choose from are sent.
    if (groups.data !== null) body.group_ids = [...chosen];
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
      <fieldset class="choices">
        <legend>{t('sso.excludedGroups')}</legend>
        {groups.data === null ? (
          <small class="hint">{groups.error === null ? t('common.loading') : t('sso.excludedGroupsUnavailable')}</small>
        ) : groups.data.length === 0 ? (
          <small class="hint">{t('sso.noGroups')}</small>
        ) : (
          groups.data.map((group) => (
            <Checkbox key={group.id} label={group.name} checked={chosen.has(group.id)} onChange={(on) => setChosen((current) => toggled(current, group.id, on))} />
          ))
        )}
      </fieldset>
    </FormDialog>
  );
}
