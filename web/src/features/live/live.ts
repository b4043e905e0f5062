// The live device and session lists. A snapshot comes from the HTTP API; the
// `/api/events` feed then pushes every change. On each (re)connection the snapshot
// is fetched again, and events that arrive while it loads are replayed on top, so
// the lists never go stale and never need a reload button.

import { api } from '../../api/http.ts';
import { connectSocket, type Socket } from '../../api/socket.ts';
import type { ConsoleEvent, DeviceView, SessionView } from '../../gen/proto.ts';
import { Store } from '../../ui/store.ts';

export interface ListState<T> {
  /** null until the first snapshot arrives. */
  items: T[] | null;
  /** The last loading error, cleared by the next successful load. */
  error: unknown;
}

export type FeedStatus = 'connecting' | 'live' | 'reconnecting';

export const devicesStore = new Store<ListState<DeviceView>>({ items: null, error: null });
export const sessionsStore = new Store<ListState<SessionView>>({ items: null, error: null });
export const feedStatus = new Store<FeedStatus>('connecting');

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

function apply(event: ConsoleEvent): void {
  switch (event.type) {
    case 'device_changed':
      upsertDevice(event.device);
      break;
    case 'session_changed':
      upsertSession(event.session);
      break;
  }
}

let socket: Socket<never> | null = null;
let loading = 0;
let buffered: ConsoleEvent[] = [];

/** Fetches fresh snapshots of both lists; events received meanwhile are replayed. */
export async function reload(): Promise<void> {
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
  devicesStore.set({ items: null, error: null });
  sessionsStore.set({ items: null, error: null });
  feedStatus.set('connecting');
}
