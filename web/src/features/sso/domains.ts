// What the single sign-on page shows of a domain, from its status. Pure, so unit
// tests can load it.

import type { OidcSettingsView, SamlSettingsView, SsoDomainView } from '../../gen/proto.ts';
import type { MessageKey } from '../../i18n/index.ts';

/** Why verification failed, as the server says it (`api/domains.rs`), with its words. */
const FAILURES = new Map<string, MessageKey>([
  ['not_found_in_time', 'sso.failure.not_found_in_time'],
  ['verified_by_another_company', 'sso.failure.verified_by_another_company'],
]);

export function failureKey(failure: string | null): MessageKey {
  return (failure === null ? undefined : FAILURES.get(failure)) ?? 'sso.failure.unknown';
}

/** Verified first (they are in use), then by name. */
export function sortDomains(domains: readonly SsoDomainView[]): SsoDomainView[] {
  const rank = (domain: SsoDomainView): number => (domain.status === 'verified' ? 0 : 1);
  return [...domains].sort((a, b) => rank(a) - rank(b) || a.domain.localeCompare(b.domain));
}

/** The list after a change pushed by the event feed. */
export function applyDomainChange(list: readonly SsoDomainView[] | null, domain: SsoDomainView, removed: boolean): SsoDomainView[] | null {
  if (list === null) return null;
  const others = list.filter((existing) => existing.id !== domain.id);
  return removed ? others : [...others, domain];
}

/** The addresses typed, one per line (commas and spaces work too), without blanks. */
export function parseAddresses(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** A domain's single sign-on protocol: SAML or OpenID Connect, never both. */
export type SsoProtocol = 'saml' | 'oidc';

/** The protocol a domain has a provider for, if any. */
export function configuredProtocol(saml: Pick<SamlSettingsView, 'identity_provider'>, oidc: Pick<OidcSettingsView, 'provider'>): SsoProtocol | null {
  if (saml.identity_provider !== null) return 'saml';
  if (oidc.provider !== null) return 'oidc';
  return null;
}

/** Who keeps password sign-in, in words: the addresses, then how many groups; empty when nobody. */
export function exclusionSummary(emails: readonly string[], groupCount: number, groupsWords: (count: number) => string): string {
  const parts = [...emails];
  if (groupCount > 0) parts.push(groupsWords(groupCount));
  return parts.join(', ');
}
