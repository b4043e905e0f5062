// Pure helpers for the event log: merging pages and live entries, and the
// client-side filter. No DOM, no network, so unit tests can load them.

import type { AuditCode, AuditEventView } from '../../gen/proto.ts';

/** Entries one request asks for (the server's default; its maximum is 500). */
export const AUDIT_PAGE_SIZE = 100;

/** Codes end with their severity: `I` information, `W` warning. */
export function isWarning(code: AuditCode): boolean {
  return code.endsWith('W');
}

/**
 * `existing` and `incoming` as one list, newest (highest id) first, each id once.
 * Entries are never edited, so which copy of a duplicate survives does not matter.
 */
export function mergeEvents(existing: readonly AuditEventView[], incoming: readonly AuditEventView[]): AuditEventView[] {
  if (incoming.length === 0) return [...existing];
  const byId = new Map<number, AuditEventView>();
  for (const event of existing) byId.set(event.id, event);
  for (const event of incoming) byId.set(event.id, event);
  return [...byId.values()].sort((a, b) => b.id - a.id);
}

/**
 * Whether a fresh newest page leaves a hole before what is already held: the page is
 * full and all of it is newer than the newest entry held, so entries may be missing
 * in between (the feed was down while many things happened).
 */
export function leavesGap(held: readonly AuditEventView[], fresh: readonly AuditEventView[], limit: number): boolean {
  const newestHeld = held[0];
  const oldestFresh = fresh[fresh.length - 1];
  if (newestHeld === undefined || oldestFresh === undefined) return false;
  return fresh.length >= limit && oldestFresh.id > newestHeld.id;
}

/** Entries whose searchable text (from `text`) contains every word of `query`. */
export function filterEvents(
  events: readonly AuditEventView[],
  query: string,
  text: (event: AuditEventView) => readonly (string | null)[],
): readonly AuditEventView[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return events;
  return events.filter((event) => {
    const haystack = text(event)
      .filter((part): part is string => part !== null)
      .join(' ')
      .toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}
