// Creates or changes a company role: name, description, permissions by area, and
// its restrictions (view only, upload and download allow-lists). A built-in role
// opens read-only: what it allows, and why it cannot be changed.

import { useId, useRef, useState } from 'preact/hooks';
import { api, itemPath } from '../../api/http.ts';
import type { Permission, RoleInput, RoleView } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { Checkbox } from '../../ui/checkbox.tsx';
import { FormDialog } from '../../ui/dialog.tsx';
import { toggled, useSubmit } from '../../ui/form.tsx';
import { PERMISSION_AREAS, permissionsIn, sortPermissions } from '../access/permissions.ts';
import { roleAbout, roleName } from './names.ts';
import { formatPaths, MAX_ALLOWED_PATHS, parsePaths, type PathsResult } from './paths.ts';

interface Props {
  /** The role to show or change; null to create one. */
  role: RoleView | null;
  onClose(): void;
  onSaved(role: RoleView): void;
}

type PathField = 'upload' | 'download';
type PathProblem = { field: PathField; result: Exclude<PathsResult, { ok: true }> };

export function RoleDialog({ role, onClose, onSaved }: Props) {
  const { t, describeError } = useI18n();
  const formId = useId();
  const readOnly = role !== null && role.builtin !== null;
  const [name, setName] = useState(role === null ? '' : readOnly ? roleName(role, t) : role.name);
  const [description, setDescription] = useState(role === null ? '' : roleAbout(role, t));
  const [permissions, setPermissions] = useState<ReadonlySet<Permission>>(new Set(role?.permissions ?? []));
  const [viewOnly, setViewOnly] = useState(role?.view_only ?? false);
  const [uploads, setUploads] = useState(formatPaths(role?.upload_paths ?? null));
  const [downloads, setDownloads] = useState(formatPaths(role?.download_paths ?? null));
  const [problem, setProblem] = useState<PathProblem | null>(null);
  const submission = useSubmit();
  const pathInputs = { upload: useRef<HTMLTextAreaElement>(null), download: useRef<HTMLTextAreaElement>(null) };

  const toggle = (permission: Permission, on: boolean): void => setPermissions((current) => toggled(current, permission, on));

  const pathProblem = (field: PathField, result: Exclude<PathsResult, { ok: true }>): void => {
    setProblem({ field, result });
    pathInputs[field].current?.focus();
  };

  const onSubmit = (): void => {
    if (submission.busy || readOnly) return;
    const upload = parsePaths(uploads);
    if (!upload.ok) return pathProblem('upload', upload);
    const download = parsePaths(downloads);
    if (!download.ok) return pathProblem('download', download);
    setProblem(null);
    const body: RoleInput = {
      name: name.trim(),
      description: description.trim(),
      permissions: sortPermissions([...permissions]),
      view_only: viewOnly,
      upload_paths: upload.paths,
      download_paths: download.paths,
    };
    void submission.run(async () => {
      onSaved(role === null ? await api.post<RoleView>('/api/roles', body) : await api.put<RoleView>(itemPath('/api/roles', role.id), body));
    });
  };

  let problemText: string | null = null;
  if (problem !== null) {
    problemText =
      problem.result.problem === 'invalid' ? t('roles.pathInvalid', { path: problem.result.path }) : t('roles.pathsTooMany', { max: MAX_ALLOWED_PATHS });
  } else if (submission.error !== null) problemText = describeError(submission.error);
  const pathField = (field: PathField, label: string, value: string, set: (value: string) => void) => {
    const id = `${formId}-${field}`;
    const invalid = problem?.field === field;
    return (
      <div class="field">
        <label for={id}>{label}</label>
        <textarea
          id={id}
          ref={pathInputs[field]}
          rows={3}
          class="mono"
          spellcheck={false}
          readOnly={readOnly}
          placeholder={readOnly ? t('roles.anywhere') : '/home/support'}
          aria-describedby={`${formId}-paths-hint`}
          aria-invalid={invalid ? 'true' : undefined}
          value={value}
          onInput={(event) => set(event.currentTarget.value)}
        />
      </div>
    );
  };

  const title = role === null ? t('roles.createTitle') : readOnly ? roleName(role, t) : t('roles.editTitle', { name: role.name });
  return (
    <FormDialog
      id={formId}
      wide
      readOnly={readOnly}
      title={title}
      onClose={onClose}
      onSubmit={onSubmit}
      submitLabel={role === null ? t('roles.create') : t('common.save')}
      busyLabel={t('common.saving')}
      busy={submission.busy}
      intro={readOnly && <p class="alert alert-info">{t('roles.builtinReadOnly')}</p>}
      error={problemText}
    >
      <div class="form-grid">
        <div class="field">
          <label for={`${formId}-name`}>{t('roles.name')}</label>
          <input id={`${formId}-name`} type="text" required autofocus={!readOnly} readOnly={readOnly} maxLength={64} value={name} onInput={(event) => setName(event.currentTarget.value)} />
        </div>
        <div class="field">
          <label for={`${formId}-description`}>{t('roles.description')}</label>
          <input
            id={`${formId}-description`}
            type="text"
            readOnly={readOnly}
            maxLength={500}
            value={description}
            onInput={(event) => setDescription(event.currentTarget.value)}
          />
        </div>
      </div>
      <div class="permission-areas">
        {PERMISSION_AREAS.map((area) => (
          <fieldset key={area} class="choices">
            <legend>{t(`roles.area.${area}`)}</legend>
            {permissionsIn(area).map((permission) => (
              <Checkbox
                key={permission}
                label={t(`permission.${permission}`)}
                hint={t(`permission.${permission}.hint`)}
                checked={permissions.has(permission)}
                disabled={readOnly}
                onChange={(on) => toggle(permission, on)}
              />
            ))}
          </fieldset>
        ))}
      </div>
      <fieldset class="choices">
        <legend>{t('roles.restrictions')}</legend>
        <Checkbox label={t('roles.viewOnly')} hint={t('roles.viewOnlyHint')} checked={viewOnly} disabled={readOnly} onChange={setViewOnly} />
        <div class="form-grid">
          {pathField('upload', t('roles.uploadPaths'), uploads, setUploads)}
          {pathField('download', t('roles.downloadPaths'), downloads, setDownloads)}
        </div>
        <small id={`${formId}-paths-hint`} class="hint">
          {t('roles.pathsHint')}
        </small>
      </fieldset>
    </FormDialog>
  );
}
