// What the API tokens page computes from a token: its state, the lifetimes it
// offers, the scopes a token may be given. Pure, so unit tests can load it.

import type { ApiTokenView, Permission } from '../../gen/proto.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { sortPermissions } from '../access/permissions.ts';

export type ApiTokenState = 'active' | 'expired' | 'revoked';

export function apiTokenState(token: ApiTokenView, now: number): ApiTokenState {
  if (token.revoked) return 'revoked';
  if (token.expires_at <= now) return 'expired';
  return 'active';
}

/** The lifetimes offered, within the server's bounds (one hour to one year). */
export const LIFETIMES: readonly { seconds: number; key: MessageKey }[] = [
  { seconds: 3600, key: 'apiTokens.lifetime.1h' },
  { seconds: 86_400, key: 'apiTokens.lifetime.1d' },
  { seconds: 30 * 86_400, key: 'apiTokens.lifetime.30d' },
  { seconds: 90 * 86_400, key: 'apiTokens.lifetime.90d' },
  { seconds: 365 * 86_400, key: 'apiTokens.lifetime.1y' },
];

/** Ninety days: long enough for an integration, short enough to be rotated. */
export const DEFAULT_LIFETIME = 90 * 86_400;

/** A session belongs to a technician, so a company token can't start one (the server refuses it too). */
const SESSION_STARTS: ReadonlySet<Permission> = new Set<Permission>(['session.attended', 'session.unattended']);

/**
 * The scopes a token may be given: the creator's own permissions (the server
 * refuses any other), without session starts for a company token.
 */
export function grantableScopes(held: readonly Permission[], companyToken: boolean): Permission[] {
  return sortPermissions(held).filter((permission) => !companyToken || !SESSION_STARTS.has(permission));
}

/** Active first, then by name; a page of old revoked tokens stays out of the way. */
export function sortApiTokens(tokens: readonly ApiTokenView[], now: number): ApiTokenView[] {
  const rank = (token: ApiTokenView): number => (apiTokenState(token, now) === 'active' ? 0 : 1);
  return [...tokens].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name) || b.created_at - a.created_at);
}

/** A call to the API with the token, to copy into a terminal. */
export function exampleCommand(origin: string, token: string): string {
  return `curl -H 'Authorization: Bearer ${token}' ${origin}/api/v1/devices`;
}
