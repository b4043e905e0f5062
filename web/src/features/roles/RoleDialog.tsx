// Creates or changes a company role: name, description, permissions by area, and
// its restrictions (view only, upload and download allow-lists). A built-in role
// opens read-only: what it allows, and why it cannot be changed.

import { useId, useRef, useState } from 'preact/hooks';
import { api, itemPath } from '../../api/http.ts';
import type { Permission, RoleInput, RoleView } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { Checkbox } from '../../ui/checkbox.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { ErrorMessage } from '../../ui/feedback.tsx';
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
type Problem = { kind: 'paths'; field: PathField; result: Exclude<PathsResult, { ok: true }> } | { kind: 'failed'; error: unknown };

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
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const pathInputs = { upload: useRef<HTMLTextAreaElement>(null), download: useRef<HTMLTextAreaElement>(null) };

  const toggle = (permission: Permission, on: boolean): void => {
    setPermissions((current) => {
      const next = new Set(current);
      if (on) next.add(permission);
      else next.delete(permission);
      return next;
    });
  };

  const pathProblem = (field: PathField, result: Exclude<PathsResult, { ok: true }>): void => {
    setProblem({ kind: 'paths', field, result });
    pathInputs[field].current?.focus();
  };

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy || readOnly) return;
    const upload = parsePaths(uploads);
    if (!upload.ok) return pathProblem('upload', upload);
    const download = parsePaths(downloads);
    if (!download.ok) return pathProblem('download', download);
    setBusy(true);
    setProblem(null);
    const body: RoleInput = {
      name: name.trim(),
      description: description.trim(),
      permissions: sortPermissions([...permissions]),
      view_only: viewOnly,
      upload_paths: upload.paths,
      download_paths: download.paths,
    };
    try {
      onSaved(role === null ? await api.post<RoleView>('/api/roles', body) : await api.put<RoleView>(itemPath('/api/roles', role.id), body));
    } catch (caught) {
      setProblem({ kind: 'failed', error: caught });
    } finally {
      setBusy(false);
    }
  };

  let problemText: string | null = null;
  if (problem?.kind === 'failed') problemText = describeError(problem.error);
  else if (problem?.kind === 'paths') {
    problemText =
      problem.result.problem === 'invalid' ? t('roles.pathInvalid', { path: problem.result.path }) : t('roles.pathsTooMany', { max: MAX_ALLOWED_PATHS });
  }
  const pathField = (field: PathField, label: string, value: string, set: (value: string) => void) => {
    const id = `${formId}-${field}`;
    const invalid = problem?.kind === 'paths' && problem.field === field;
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
    <Dialog
      open
      wide
      title={title}
      onClose={onClose}
      footer={
        readOnly ? (
          <button type="button" class="button" onClick={onClose}>
            {t('common.close')}
          </button>
        ) : (
          <>
            <button type="button" class="button" onClick={onClose}>
              {t('common.cancel')}
            </button>
            <button type="submit" form={formId} class="button button-primary" disabled={busy}>
              {busy ? t('common.saving') : role === null ? t('roles.create') : t('common.save')}
            </button>
          </>
        )
      }
    >
      <form id={formId} onSubmit={(event) => void onSubmit(event)}>
        {readOnly && <p class="alert alert-info">{t('roles.builtinReadOnly')}</p>}
        {problemText !== null && <ErrorMessage>{problemText}</ErrorMessage>}
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
      </form>
    </Dialog>
  );
}
