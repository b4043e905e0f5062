// A domain's owners: members who manage its single sign-on from the console
// even without the company-wide permission (the one who added it, and whoever
// they add), so the domain's settings never depend on one account.

import { useId, useState } from 'preact/hooks';
import { api, itemPath } from '../../api/http.ts';
import type { DomainOwnersView, SetDomainOwners, SsoDomainView } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { FormDialog } from '../../ui/dialog.tsx';
import { ErrorMessage } from '../../ui/feedback.tsx';
import { useSubmit } from '../../ui/form.tsx';
import { useResource } from '../../ui/resource.ts';
import { parseAddresses } from './domains.ts';

export function DomainOwners({ domain }: { domain: SsoDomainView }) {
  const { t, describeError } = useI18n();
  const path = `${itemPath('/api/sso-domains', domain.id)}/owners`;
  const owners = useResource<DomainOwnersView>(path);
  const [editing, setEditing] = useState(false);

  if (owners.data === null) {
    return owners.error === null ? null : <ErrorMessage>{describeError(owners.error)}</ErrorMessage>;
  }
  const list = owners.data.owners;
  return (
    <div class="domain-owners">
      <span class="label">{t('sso.owners')}</span>{' '}
      <span data-testid="domain-owners">{list.length === 0 ? t('sso.noOwners') : list.map((o) => o.display_name).join(', ')}</span>{' '}
      <button type="button" class="button button-small" onClick={() => setEditing(true)}>
        {t('sso.editOwners')}
      </button>
      {editing && (
        <OwnersDialog
          domain={domain}
          emails={list.map((o) => o.email)}
          onClose={() => setEditing(false)}
          onSaved={(next) => {
            owners.update(() => next);
            setEditing(false);
          }}
        />
      )}
    </div>
  );
}

interface DialogProps {
  domain: SsoDomainView;
  emails: readonly string[];
  onClose(): void;
  onSaved(owners: DomainOwnersView): void;
}

function OwnersDialog({ domain, emails, onClose, onSaved }: DialogProps) {
  const { t, describeError } = useI18n();
  const formId = useId();
  const [text, setText] = useState(emails.join('\n'));
  const submission = useSubmit();

  const onSubmit = (): void => {
    const body: SetDomainOwners = { emails: parseAddresses(text) };
    void submission.run(async () => {
      onSaved(await api.put<DomainOwnersView>(`${itemPath('/api/sso-domains', domain.id)}/owners`, body));
    });
  };

  return (
    <FormDialog
      id={formId}
      title={t('sso.ownersTitle', { domain: domain.domain })}
      onClose={onClose}
      onSubmit={onSubmit}
      submitLabel={t('common.save')}
      busyLabel={t('common.saving')}
      busy={submission.busy}
      error={submission.error === null ? null : describeError(submission.error)}
    >
      <div class="field">
        <label for={`${formId}-emails`}>{t('sso.owners')}</label>
        <textarea id={`${formId}-emails`} class="mono" rows={5} spellcheck={false} autofocus value={text} onInput={(event) => setText(event.currentTarget.value)} />
        <small class="hint">{t('sso.ownersHint')}</small>
      </div>
    </FormDialog>
  );
}
