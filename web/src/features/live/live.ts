// The live device and session lists. A snapshot comes from the HTTP API; the
// `/api/events` feed then pushes every change. On each (re)connection the snapshot
// is fetched again, and events that arrive while it loads are replayed on top, so
// the lists never go stale and never need a reload button.
//
// The event log is kept the same way, but only while its page is open: it is
// loaded when the page opens, grows with live entries and older pages, and is
// dropped when the page closes.

import { api } from '../../api/http.ts';
import { connectSocket, type Socket } from '../../api/socket.ts';
import type { AuditEventView, ConsoleEvent, DeviceView, SessionView, SsoDomainView } from '../../gen/proto.ts';
import { Store } from '../../ui/store.ts';
import { AUDIT_PAGE_SIZE, leavesGap, mergeEvents } from '../audit/events.ts';

export interface ListState<T> {
  /** null until the first snapshot arrives. */
  items: T[] | null;
  /** The last loading error, cleared by the next successful load. */
  error: unknown;
}

export interface AuditLogState extends ListState<AuditEventView> {
  /** Whether older entries may exist: the oldest page loaded was full. */
  hasOlder: boolean;
  /** An older page is loading. */
  loadingOlder: boolean;
  /** Why the last older page failed to load, cleared by the next attempt. */
  olderError: unknown;
}

export type FeedStatus = 'connecting' | 'live' | 'reconnecting';

export const devicesStore = new Store<ListState<DeviceView>>({ items: null, error: null });
export const sessionsStore = new Store<ListState<SessionView>>({ items: null, error: null });
export const feedStatus = new Store<FeedStatus>('connecting');

const NO_AUDIT_LOG: AuditLogState = { items: null, error: null, hasOlder: false, loadingOlder: false, olderError: null };
/** The event log, newest first; items stay null while its page is closed. */
export const auditStore = new Store<AuditLogState>(NO_AUDIT_LOG);

function upsert<T extends { id: string }>(items: T[] | null, item: T): T[] | null {
  if (items === null) return null;
  const index = items.findIndex((existing) => existing.id === item.id);
  if (index === -1) return [...items, item];
  const next = [...items];
  next[index] = item;
  return next;
}

/** Newest first, as the sessions page lists them. */
export function sortSessions(sessions: SessionView[]): SessionView[] {
  return [...sessions].sort((a, b) => b.started_at - a.started_at);
}

export function upsertDevice(device: DeviceView): void {
  devicesStore.update((state) => ({ ...state, items: upsert(state.items, device) }));
}

export function upsertSession(session: SessionView): void {
  sessionsStore.update((state) => {
    const items = upsert(state.items, session);
    return { ...state, items: items === null ? null : sortSessions(items) };
  });
}

/** How many event log pages are open (0 or 1; a count keeps open/close symmetric). */
let auditViewers = 0;
/** Bumped whenever the held log is dropped or replaced, so late answers are ignored. */
let auditGeneration = 0;
/** Live entries that arrived before the first page; merged into it. */
let auditPending: AuditEventView[] = [];

function addAuditEvent(event: AuditEventView): void {
  if (auditViewers === 0) return;
  const state = auditStore.get();
  if (state.items === null) auditPending.push(event);
  else auditStore.set({ ...state, items: mergeEvents(state.items, [event]) });
}

/** Fetches the newest page and lays it over what is held. */
async function loadNewestAuditEvents(): Promise<void> {
  const generation = auditGeneration;
  try {
    const page = await api.get<AuditEventView[]>(`/api/audit-events?limit=${AUDIT_PAGE_SIZE}`);
    if (generation !== auditGeneration) return;
    const state = auditStore.get();
    if (state.items === null) {
      const pending = auditPending;
      auditPending = [];
      auditStore.set({ ...NO_AUDIT_LOG, items: mergeEvents(page, pending), hasOlder: page.length >= AUDIT_PAGE_SIZE });
    } else if (leavesGap(state.items, page, AUDIT_PAGE_SIZE)) {
      // Too much happened while the feed was down: start again from this page.
      auditGeneration += 1;
      auditStore.set({ ...NO_AUDIT_LOG, items: page, hasOlder: true });
    } else {
      auditStore.set({ ...state, items: mergeEvents(state.items, page), error: null });
    }
  } catch (error) {
    if (generation !== auditGeneration) return;
    auditStore.update((state) => ({ ...state, error }));
  }
}

/** The event log page opened: load its newest entries and keep them live. */
export function openAuditLog(): void {
  auditViewers += 1;
  if (auditViewers === 1) void loadNewestAuditEvents();
}

/** The event log page closed: forget its entries. */
export function closeAuditLog(): void {
  auditViewers = Math.max(0, auditViewers - 1);
  if (auditViewers > 0) return;
  auditGeneration += 1;
  auditPending = [];
  auditStore.set(NO_AUDIT_LOG);
}

/** Loads the page of entries older than the oldest one held. */
export async function loadOlderAuditEvents(): Promise<void> {
  const state = auditStore.get();
  const oldest = state.items?.[state.items.length - 1];
  if (oldest === undefined || state.loadingOlder || !state.hasOlder) return;
  const generation = auditGeneration;
  auditStore.set({ ...state, loadingOlder: true, olderError: null });
  try {
    const page = await api.get<AuditEventView[]>(`/api/audit-events?limit=${AUDIT_PAGE_SIZE}&before=${oldest.id}`);
    if (generation !== auditGeneration) return;
    auditStore.update((current) => ({
      ...current,
      items: current.items === null ? null : mergeEvents(current.items, page),
      hasOlder: page.length >= AUDIT_PAGE_SIZE,
      loadingOlder: false,
    }));
  } catch (error) {
    if (generation !== auditGeneration) return;
    auditStore.update((current) => ({ ...current, loadingOlder: false, olderError: error }));
  }
}

type SsoDomainListener = (domain: SsoDomainView, removed: boolean) => void;
/** The single sign-on page, while open: it holds its own list and applies each change. */
const ssoDomainListeners = new Set<SsoDomainListener>();

/** Calls `listener` with every change of a single sign-on domain; returns the unsubscribe. */
export function onSsoDomainChanged(listener: SsoDomainListener): () => void {
  ssoDomainListeners.add(listener);
  return () => ssoDomainListeners.delete(listener);
}

function apply(event: ConsoleEvent): void {
  switch (event.type) {
    case 'device_changed':
      upsertDevice(event.device);
      break;
    case 'session_changed':
      upsertSession(event.session);
      break;
    case 'audit_recorded':
      addAuditEvent(event.event);
      break;
    case 'sso_domain_changed':
      for (const listener of [...ssoDomainListeners]) listener(event.domain, event.removed);
      break;
  }
}

let socket: Socket<never> | null = null;
let loading = 0;
let buffered: ConsoleEvent[] = [];

/** Fetches fresh snapshots of both lists (and of an open event log); events received meanwhile are replayed. */
export async function reload(): Promise<void> {
  // An open event log catches up too, unless its first page is still on its way.
  const audit = auditStore.get();
  if (auditViewers > 0 && (audit.items !== null || audit.error !== null)) void loadNewestAuditEvents();
  loading += 1;
  try {
    const [devices, sessions] = await Promise.allSettled([
      api.get<DeviceView[]>('/api/devices'),
      api.get<SessionView[]>('/api/sessions'),
    ]);
    if (devices.status === 'fulfilled') devicesStore.set({ items: devices.value, error: null });
    else devicesStore.update((state) => ({ ...state, error: devices.reason }));
    if (sessions.status === 'fulfilled') {
      sessionsStore.set({ items: sortSessions(sessions.value), error: null });
    } else {
      sessionsStore.update((state) => ({ ...state, error: sessions.reason }));
    }
  } finally {
    loading -= 1;
    if (loading === 0) {
      const replay = buffered;
      buffered = [];
      replay.forEach(apply);
    }
  }
}

/** Opens the event feed (once) for the signed-in technician. */
export function startLive(): void {
  if (socket !== null) return;
  feedStatus.set('connecting');
  void reload();
  socket = connectSocket<ConsoleEvent, never>(
    '/api/events',
    {
      onOpen() {
        feedStatus.set('live');
        void reload();
      },
      onMessage(event) {
        if (loading > 0) buffered.push(event);
        else apply(event);
      },
      onClose() {
        feedStatus.set('reconnecting');
      },
    },
    { reconnect: true },
  );
}

/** Closes the feed and forgets the lists (on sign-out). */
export function stopLive(): void {
  socket?.close();
  socket = null;
  buffered = [];
  auditGeneration += 1;
  auditPending = [];
  auditStore.set(NO_AUDIT_LOG);
  devicesStore.set({ items: null, error: null });
  sessionsStore.set({ items: null, error: null });
  feedStatus.set('connecting');
}
