// Sets a domain's SAML identity provider: from its metadata URL (fetched by the
// server), its metadata XML (a file or pasted), or the entity id, sign-in URL and
// signing certificate typed in.

import { useId, useState } from 'preact/hooks';
import { api, itemPath } from '../../api/http.ts';
import type { IdentityProviderInput, SamlSettingsView, SsoDomainView } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { Checkbox } from '../../ui/checkbox.tsx';
import { FormDialog } from '../../ui/dialog.tsx';
import { TextField, useSubmit } from '../../ui/form.tsx';

type Source = IdentityProviderInput['source'];

interface Props {
  domain: SsoDomainView;
  onClose(): void;
  onSaved(settings: SamlSettingsView): void;
}

export function IdentityProviderDialog({ domain, onClose, onSaved }: Props) {
  const { t, describeError } = useI18n();
  const formId = useId();
  const [source, setSource] = useState<Source>('metadata_url');
  const [metadataUrl, setMetadataUrl] = useState('');
  const [xml, setXml] = useState('');
  const [entityId, setEntityId] = useState('');
  const [ssoUrl, setSsoUrl] = useState('');
  const [certificate, setCertificate] = useState('');
  const [postBinding, setPostBinding] = useState(false);
  const [fileError, setFileError] = useState(false);
  const submission = useSubmit();

  const onFile = async (file: File | undefined): Promise<void> => {
    setFileError(false);
    if (file === undefined) return;
    try {
      setXml(await file.text());
    } catch {
      setFileError(true);
    }
  };

  const onSubmit = (): void => {
    const body: IdentityProviderInput =
      source === 'metadata_url'
        ? { source, url: metadataUrl.trim() }
        : source === 'metadata_xml'
          ? { source, xml }
          : { source, entity_id: entityId.trim(), sso_url: ssoUrl.trim(), binding: postBinding ? 'post' : 'redirect', certificate };
    void submission.run(async () => {
      onSaved(await api.put<SamlSettingsView>(`${itemPath('/api/sso-domains', domain.id)}/saml`, body));
    });
  };

  let error: string | null = null;
  if (fileError) error = t('saml.fileUnreadable');
  else if (submission.error !== null) error = describeError(submission.error);

  return (
    <FormDialog
      id={formId}
      wide
      title={t('saml.configureTitle', { domain: domain.domain })}
      onClose={onClose}
      onSubmit={onSubmit}
      submitLabel={t('common.save')}
      busyLabel={t('common.saving')}
      busy={submission.busy}
      error={error}
    >
      <fieldset class="choices">
        <legend>{t('saml.source')}</legend>
        <div class="radio-row">
          {(['metadata_url', 'metadata_xml', 'manual'] as const).map((option) => (
            <label key={option} class="radio">
              <input type="radio" name={`${formId}-source`} checked={source === option} onChange={() => setSource(option)} />
              {t(`saml.source.${option}`)}
            </label>
          ))}
        </div>
      </fieldset>
      {source === 'metadata_url' && (
        <TextField
          id={`${formId}-url`}
          label={t('saml.metadataUrl')}
          required
          autocomplete="off"
          hint={t('saml.metadataUrlHint')}
          value={metadataUrl}
          onInput={setMetadataUrl}
        />
      )}
      {source === 'metadata_xml' && (
        <>
          <div class="field">
            <label for={`${formId}-file`}>{t('saml.metadataFile')}</label>
            <input id={`${formId}-file`} type="file" accept=".xml,application/xml,text/xml,application/samlmetadata+xml" onChange={(event) => void onFile(event.currentTarget.files?.[0])} />
          </div>
          <div class="field">
            <label for={`${formId}-xml`}>{t('saml.metadataXml')}</label>
            <textarea id={`${formId}-xml`} class="mono" rows={8} spellcheck={false} required value={xml} onInput={(event) => setXml(event.currentTarget.value)} />
            <small class="hint">{t('saml.metadataHint')}</small>
          </div>
        </>
      )}
      {source === 'manual' && (
        <>
          <TextField id={`${formId}-entity`} label={t('saml.entityId')} required autocomplete="off" value={entityId} onInput={setEntityId} />
          <TextField id={`${formId}-sso`} label={t('saml.ssoUrl')} required autocomplete="off" hint={t('saml.ssoUrlHint')} value={ssoUrl} onInput={setSsoUrl} />
          <Checkbox label={t('saml.postBinding')} hint={t('saml.postBindingHint')} checked={postBinding} onChange={setPostBinding} />
          <div class="field">
            <label for={`${formId}-certificate`}>{t('saml.certificate')}</label>
            <textarea
              id={`${formId}-certificate`}
              class="mono"
              rows={6}
              spellcheck={false}
              required
              value={certificate}
              onInput={(event) => setCertificate(event.currentTarget.value)}
            />
            <small class="hint">{t('saml.certificateHint')}</small>
          </div>
        </>
      )}
    </FormDialog>
  );
}
