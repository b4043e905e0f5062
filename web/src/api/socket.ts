// The console's one WebSocket client: builds the `wss://` address from the page's
// location, speaks JSON in text frames, hands binary frames over untouched, and can
// reconnect with exponential backoff.

export interface SocketHandlers<In> {
  onOpen?(): void;
  onMessage?(message: In): void;
  onBinary?(data: ArrayBuffer): void;
  /** `willRetry` is true when the socket reconnects by itself. */
  onClose?(event: { code: number; reason: string; willRetry: boolean }): void;
}

export interface SocketOptions {
  reconnect?: boolean;
  minDelayMs?: number;
  maxDelayMs?: number;
}

export interface Socket<Out> {
  /** Sends one JSON message; false when the socket is not open. */
  send(message: Out): boolean;
  /** Closes for good (no reconnection). */
  close(): void;
  isOpen(): boolean;
}

/** `wss://host/path` on an HTTPS page, `ws://host/path` otherwise. */
export function socketUrl(path: string, loc: { protocol: string; host: string } = location): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}${path}`;
}

/** Delay before reconnection attempt `attempt` (0-based), with jitter. */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function connectSocket<In, Out>(
  path: string,
  handlers: SocketHandlers<In>,
  options: SocketOptions = {},
): Socket<Out> {
  const minDelay = options.minDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 15_000;
  let ws: WebSocket | null = null;
  let closed = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const open = (): void => {
    timer = null;
    const socket = new WebSocket(socketUrl(path));
    socket.binaryType = 'arraybuffer';
    ws = socket;
    socket.onopen = () => {
      attempt = 0;
      handlers.onOpen?.();
    };
    socket.onmessage = (event: MessageEvent<unknown>) => {
      if (typeof event.data === 'string') {
        let message: In;
        try {
          message = JSON.parse(event.data) as In;
        } catch {
          console.warn('reach: ignored a WebSocket message that is not JSON');
          return;
        }
        handlers.onMessage?.(message);
      } else if (event.data instanceof ArrayBuffer) {
        handlers.onBinary?.(event.data);
      }
    };
    socket.onclose = (event) => {
      if (ws !== socket) return;
      ws = null;
      const willRetry = !closed && options.reconnect === true;
      handlers.onClose?.({ code: event.code, reason: event.reason, willRetry });
      if (willRetry) {
        timer = setTimeout(open, backoffDelay(attempt, minDelay, maxDelay));
        attempt += 1;
      }
    };
  };

  open();

  return {
    send(message: Out): boolean {
      if (ws === null || ws.readyState !== WebSocket.OPEN) return false;
      ws.send(JSON.stringify(message));
      return true;
    },
    close(): void {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      const socket = ws;
      ws = null;
      socket?.close(1000);
    },
    isOpen(): boolean {
      return ws !== null && ws.readyState === WebSocket.OPEN;
    },
  };
}
