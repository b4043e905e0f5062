// How the event log shows a detail's value. The server writes values for the
// record, in one language (`true`, `company`, permission wire names, reason
// codes); the console turns the ones it knows into words of the reader's language
// and leaves the rest (names, addresses, ids) exactly as sent.

import type { EndReason } from '../../gen/proto.ts';
import type { I18n, MessageKey } from '../../i18n/index.ts';
import { isPermission } from '../access/permissions.ts';

/** Details that hold a yes/no (so a name that happens to read `true` stays a name). */
const YES_NO = /^(view_only|disabled|operator|require_two_factor|password_sign_in|just_in_time|tenant_only)(_before|_after)?$/;

/** Details whose value lists permissions by wire name, `, `-separated. */
const PERMISSION_LISTS = new Set(['permissions', 'permissions_before', 'permissions_after', 'scopes']);

/** Details whose value is a path allow-list, `anywhere` when there is none. */
const PATH_LISTS = /^(upload|download)_paths(_after)?$/;

/** Why a session ended (R3001I): every end reason, so a new one is a type error here. */
const END_REASONS: { [R in EndReason]: `endReason.${R}` } = {
  technician_ended: 'endReason.technician_ended',
  technician_disconnected: 'endReason.technician_disconnected',
  agent_ended: 'endReason.agent_ended',
  agent_disconnected: 'endReason.agent_disconnected',
  device_revoked: 'endReason.device_revoked',
  server_shutdown: 'endReason.server_shutdown',
};

/**
 * Details whose value is one of a few codes (crates/server: `auth.rs`, `two_factor.rs`,
 * `sso.rs`, `api/members.rs`, `api/roles.rs`, `api/tokens.rs`, `api/domains.rs`,
 * `api/saml.rs`, `api/oidc.rs`, `hub.rs`), with the words for each. A `reason` is a
 * failed sign-in's (R1001W), a failed domain verification's (R1503W) or an ended
 * session's (R3001I).
 */
const WORDS = new Map<string, ReadonlyMap<string, MessageKey>>([
  [
    'scope',
    new Map([
      ['company', 'audit.value.company'],
      ['device_group', 'audit.value.device_group'],
    ]),
  ],
  [
    'kind',
    new Map([
      ['user', 'audit.value.user'],
      ['company', 'audit.value.the_company'],
    ]),
  ],
  [
    'status',
    new Map<string, MessageKey>([
      ['unverified', 'audit.value.unverified'],
      ['verifying', 'audit.value.verifying'],
      ['verified', 'audit.value.verified'],
      ['failed', 'audit.value.failed'],
    ]),
  ],
  [
    'source',
    new Map<string, MessageKey>([
      ['metadata_xml', 'audit.value.metadata_xml'],
      ['metadata_url', 'audit.value.metadata_url'],
      ['manual', 'audit.value.manual'],
    ]),
  ],
  [
    'through',
    new Map<string, MessageKey>([
      ['saml', 'audit.value.saml'],
      ['saml_just_in_time', 'audit.value.saml_just_in_time'],
      ['oidc', 'audit.value.oidc'],
      ['oidc_just_in_time', 'audit.value.oidc_just_in_time'],
    ]),
  ],
  [
    'protocol',
    new Map<string, MessageKey>([
      ['saml', 'sso.protocol.saml'],
      ['oidc', 'audit.value.oidc'],
    ]),
  ],
  [
    'client_secret',
    new Map<string, MessageKey>([
      ['set', 'audit.value.secret_set'],
      ['kept', 'audit.value.secret_kept'],
      ['none', 'audit.value.secret_none'],
    ]),
  ],
  [
    'second_factor',
    new Map([
      ['authenticator_code', 'audit.value.authenticator_code'],
      ['recovery_code', 'audit.value.recovery_code'],
    ]),
  ],
  [
    'by',
    new Map<string, MessageKey>([
      ['self', 'audit.value.self'],
      ['administrator', 'audit.value.administrator'],
      // Who gave the end user's input back (R3005I) or blocked it (R3004I).
      ['technician', 'audit.value.technician'],
      ['end_user', 'audit.value.end_user'],
    ]),
  ],
  [
    'reason',
    new Map<string, MessageKey>([
      ['wrong_password', 'audit.value.wrong_password'],
      ['account_disabled', 'audit.value.account_disabled'],
      ['wrong_second_factor', 'audit.value.wrong_second_factor'],
      ['password_sign_in_disabled', 'audit.value.password_sign_in_disabled'],
      ['no_company', 'audit.value.no_company'],
      ['not_found_in_time', 'audit.value.not_found_in_time'],
      ['single_sign_on_required', 'audit.value.single_sign_on_required'],
      ['sso_failed', 'audit.value.sso_failed'],
      ['sso_denied', 'audit.value.sso_denied'],
      ['sso_wrong_domain', 'audit.value.sso_wrong_domain'],
      ['sso_no_account', 'audit.value.sso_no_account'],
      ['sso_account_disabled', 'audit.value.sso_account_disabled'],
      ['verified_by_another_company', 'audit.value.verified_by_another_company'],
      ...Object.entries(END_REASONS),
    ]),
  ],
]);

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
  const word = WORDS.get(key)?.get(value);
  return word === undefined ? value : t(word);
}
