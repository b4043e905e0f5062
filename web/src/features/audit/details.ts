// How the event log shows a detail's value. The server writes values for the
// record, in one language (`true`, `company`, permission wire names); the console
// turns the ones it knows into words of the reader's language and leaves the rest
// (names, addresses, ids) exactly as sent.

import type { I18n } from '../../i18n/index.ts';
import { isPermission } from '../access/permissions.ts';

/** Details that hold a yes/no (so a name that happens to read `true` stays a name). */
const YES_NO = /^(view_only|disabled|operator|require_two_factor|password_sign_in)(_before|_after)?$/;

/** Details whose value lists permissions by wire name, `, `-separated. */
const PERMISSION_LISTS = new Set(['permissions', 'permissions_before', 'permissions_after']);

/** Details whose value is a path allow-list, `anywhere` when there is none. */
const PATH_LISTS = /^(upload|download)_paths(_after)?$/;

/** How the server names a device-group scope (`grant_entry` in crates/server/src/api/roles.rs). */
const DEVICE_GROUP_SCOPE = /^device group (.+)$/s;

export function detailValue(key: string, value: string, i18n: Pick<I18n, 't' | 'dateTime'>): string {
  const { t } = i18n;
  // An empty list (no roles given, no members) reads better as a dash than as nothing.
  if (value === '') return '—';
  if (key.endsWith('_at') && /^\d+$/.test(value)) return i18n.dateTime(Number(value));
  if (YES_NO.test(key) && (value === 'true' || value === 'false')) return t(`audit.value.${value}`);
  if (PERMISSION_LISTS.has(key)) {
    return value
      .split(', ')
      .map((name) => (isPermission(name) ? t(`permission.${name}`) : name))
      .join(', ');
  }
  if (PATH_LISTS.test(key) && value === 'anywhere') return t('audit.value.anywhere');
  if (key === 'scope') {
    if (value === 'company') return t('audit.value.company');
    const group = DEVICE_GROUP_SCOPE.exec(value)?.[1];
    if (group !== undefined) return t('audit.value.deviceGroup', { name: group });
  }
  return value;
}
