// Grants a role to a user or a user group, on the whole company or on one device group.

import { useId, useState } from 'preact/hooks';
import { api } from '../../api/http.ts';
import type { DeviceGroupView, GrantInput, GrantView, MemberView, RoleView, UserGroupView } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { Dialog } from '../../ui/dialog.tsx';
import { ErrorMessage } from '../../ui/feedback.tsx';
import { roleName } from './names.ts';

interface Props {
  roles: readonly RoleView[];
  /** null when they could not be listed (no "manage users" permission). */
  users: readonly MemberView[] | null;
  groups: readonly UserGroupView[] | null;
  deviceGroups: readonly DeviceGroupView[];
  /** The role to preselect (the Grant button of a role's row). */
  roleId: string | null;
  onClose(): void;
  onGranted(grant: GrantView): void;
}

type Kind = 'user' | 'group';
type Problem = { kind: 'pick'; what: 'role' | 'grantee' } | { kind: 'failed'; error: unknown };

export function GrantDialog({ roles, users, groups, deviceGroups, roleId: preselected, onClose, onGranted }: Props) {
  const { t, describeError } = useI18n();
  const formId = useId();
  const [roleId, setRoleId] = useState(preselected ?? '');
  const [kind, setKind] = useState<Kind>('user');
  const [granteeId, setGranteeId] = useState('');
  const [scope, setScope] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  const candidates = (kind === 'user' ? users : groups) ?? [];
  const chooseKind = (next: Kind): void => {
    setKind(next);
    setGranteeId('');
  };

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    if (roleId === '') return setProblem({ kind: 'pick', what: 'role' });
    if (granteeId === '') return setProblem({ kind: 'pick', what: 'grantee' });
    setBusy(true);
    setProblem(null);
    const body: GrantInput = {
      role_id: roleId,
      user_id: kind === 'user' ? granteeId : null,
      group_id: kind === 'group' ? granteeId : null,
      device_group_id: scope === '' ? null : scope,
    };
    try {
      onGranted(await api.post<GrantView>('/api/role-grants', body));
    } catch (caught) {
      setProblem({ kind: 'failed', error: caught });
    } finally {
      setBusy(false);
    }
  };

  let problemText: string | null = null;
  if (problem?.kind === 'failed') problemText = describeError(problem.error);
  else if (problem?.kind === 'pick') problemText = problem.what === 'role' ? t('grants.pickRole') : t('grants.pickGrantee');

  return (
    <Dialog
      open
      title={t('grants.createTitle')}
      onClose={onClose}
      footer={
        <>
          <button type="button" class="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form={formId} class="button button-primary" disabled={busy}>
            {busy ? t('common.saving') : t('grants.create')}
          </button>
        </>
      }
    >
      <form id={formId} onSubmit={(event) => void onSubmit(event)}>
        {problemText !== null && <ErrorMessage>{problemText}</ErrorMessage>}
        <div class="field">
          <label for={`${formId}-role`}>{t('grants.role')}</label>
          <select id={`${formId}-role`} required value={roleId} onChange={(event) => setRoleId(event.currentTarget.value)}>
            <option value="">{t('grants.choose')}</option>
            {roles.map((role) => (
              <option key={role.id} value={role.id}>
                {roleName(role, t)}
              </option>
            ))}
          </select>
        </div>
        <fieldset class="choices">
          <legend>{t('grants.granteeKind')}</legend>
          <div class="radio-row">
            {(['user', 'group'] as const).map((option) => (
              <label key={option} class="radio">
                <input type="radio" name={`${formId}-kind`} value={option} checked={kind === option} onChange={() => chooseKind(option)} />
                {t(`grants.kind.${option}`)}
              </label>
            ))}
          </div>
          {users === null ? (
            <p class="hint">{t('grants.namesNeedUsers')}</p>
          ) : (
            <div class="field">
              <label for={`${formId}-grantee`}>{kind === 'user' ? t('grants.user') : t('grants.group')}</label>
              <select id={`${formId}-grantee`} required value={granteeId} onChange={(event) => setGranteeId(event.currentTarget.value)}>
                <option value="">{t('grants.choose')}</option>
                {candidates.map((candidate) => (
                  <option key={candidate.id} value={candidate.id}>
                    {'email' in candidate ? `${candidate.display_name} (${candidate.email})` : candidate.name}
                  </option>
                ))}
              </select>
              {kind === 'group' && candidates.length === 0 && <small class="hint">{t('grants.noGroups')}</small>}
            </div>
          )}
        </fieldset>
        <div class="field">
          <label for={`${formId}-scope`}>{t('grants.scope')}</label>
          <select id={`${formId}-scope`} aria-describedby={`${formId}-scope-hint`} value={scope} onChange={(event) => setScope(event.currentTarget.value)}>
            <option value="">{t('grants.scope.company')}</option>
            {deviceGroups.map((group) => (
              <option key={group.id} value={group.id}>
                {t('grants.scope.deviceGroup', { name: group.name })}
              </option>
            ))}
          </select>
          <small id={`${formId}-scope-hint`} class="hint">
            {t('grants.scopeHint')}
          </small>
        </div>
      </form>
    </Dialog>
  );
}
