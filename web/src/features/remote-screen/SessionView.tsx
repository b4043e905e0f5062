import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api/http.ts';
import { connectSocket, type Socket } from '../../api/socket.ts';
import { PROTOCOL_VERSION, type ConsoleMessage, type EndReason, type MonitorLayout, type ScreenMode, type ServerToConsole, type SessionView as SessionRecord } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { ErrorMessage } from '../../ui/feedback.tsx';
import { Link } from '../../ui/link.tsx';
import { useStore } from '../../ui/store.ts';
import { sessionsStore, upsertSession } from '../live/live.ts';
import { BlockInputTool } from './BlockInputTool.tsx';
import { ClipboardTool } from './ClipboardTool.tsx';
import { RemoteCursor } from './cursor.ts';
import { attachInput } from './input-controller.ts';
import type { Size } from './input.ts';
import { SnapshotRequests } from './tools/screenshot.ts';
import { Toolbar } from './tools/toolbar.tsx';
import { useScreenTools, type ScaleMode, type ToolsState } from './tools/use-screen-tools.tsx';
import { useDeviceTools } from './use-device-tools.ts';
import { useFrameRecovery } from './use-frame-recovery.ts';
import { MonitorMenu } from './MonitorMenu.tsx';
import { hasChoice } from './monitors.ts';
import { ScreenModeMenu } from './ScreenModeMenu.tsx';
import type { FromDecoder, ToDecoder } from './worker-protocol.ts';

type Phase =
  | { kind: 'connecting' }
  | { kind: 'connected' }
  | { kind: 'ended'; reason: EndReason | null }
  | { kind: 'failed'; code: string }
  | { kind: 'disconnected' };

/** CSS size of the canvas: the whole screen fitted into `available`, or 1:1. */
export function displaySize(screen: Size, available: Size, mode: ScaleMode): Size {
  if (mode === 'actual' || available.width <= 0 || available.height <= 0) return screen;
  const scale = Math.min(available.width / screen.width, available.height / screen.height);
  return { width: Math.max(1, Math.floor(screen.width * scale)), height: Math.max(1, Math.floor(screen.height * scale)) };
}

export function SessionView({ id }: { id: string }) {
  const { t, errorText, endReason, describeError } = useI18n();
  // The worker's handler is set once; it reads the current language through this.
  const tRef = useRef(t);
  tRef.current = t;
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const viewportRef = useRef<HTMLDivElement>(null);
  const socketRef = useRef<Socket<ConsoleMessage> | null>(null);
  const workerRef = useRef<Worker | null>(null);
  const cursorRef = useRef<RemoteCursor | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'connecting' });
  const phaseRef = useRef<Phase>(phase);
  phaseRef.current = phase;
  const [screen, setScreen] = useState<Size | null>(null);
  const screenRef = useRef<Size | null>(null);
  screenRef.current = screen;
  const [painted, setPainted] = useState(false);
  const [mode, setMode] = useState<ScaleMode>('fit');
  const [tools, setTools] = useState<ToolsState>({ screenPaused: false, controlReleased: false });
  const toolsRef = useRef(tools);
  toolsRef.current = tools;
  const snapshots = useRef(new SnapshotRequests());
  const [actionError, setActionError] = useState<string | null>(null);
  const [ending, setEnding] = useState(false);
  const [attempt, setAttempt] = useState(0);
  // Set by the server's `ready`: the user's roles let them watch, not control. The
  // server drops input on such a session anyway; not sending it keeps that honest.
  const [viewOnly, setViewOnly] = useState(false);
  // Set while the agent sends a lighter stream because the link is slow.
  const [adapted, setAdapted] = useState<{ fps: number; quality: number } | null>(null);
  const [screenMode, setScreenMode] = useState<ScreenMode | null>(null);
  const [monitors, setMonitors] = useState<MonitorLayout | null>(null);
  const [videoProblem, setVideoProblem] = useState<string | null>(null);
  const viewOnlyRef = useRef(false);
  viewOnlyRef.current = viewOnly;

  const deviceTools = useDeviceTools();
  const receiveTools = deviceTools.receive;
  const sendTool = (message: ConsoleMessage): boolean => socketRef.current?.send(message) === true;

  const { items } = useStore(sessionsStore);
  const record: SessionRecord | undefined = items?.find((session) => session.id === id);

  const endSession = async (): Promise<void> => {
    const current = phaseRef.current.kind;
    if (current === 'ended' || current === 'failed') return;
    setEnding(true);
    setActionError(null);
    if (socketRef.current?.send({ type: 'end' }) === true) return;
    try {
      const session = await api.post<SessionRecord>(`/api/sessions/${encodeURIComponent(id)}/end`);
      upsertSession(session);
      setPhase({ kind: 'ended', reason: session.end_reason });
    } catch (caught) {
      setActionError(describeError(caught));
      setEnding(false);
    }
  };
  const endRef = useRef(endSession);
  endRef.current = endSession;
  const recovery = useFrameRecovery(() => socketRef.current?.send({ type: 'refresh' }));
  const recoveryRef = useRef(recovery);
  recoveryRef.current = recovery;

  // The canvas is handed to the worker once; the component is keyed by session id.
  useEffect(() => {
    const canvas = canvasRef.current;
    const viewport = viewportRef.current;
    if (canvas === null || viewport === null) return;
    const cursor = new RemoteCursor(viewport, canvas);
    cursorRef.current = cursor;
    const worker = new Worker(new URL('./decoder.worker.ts', import.meta.url), { type: 'module', name: 'reach-screen-decoder' });
    const offscreen = canvas.transferControlToOffscreen();
    const init: ToDecoder = { type: 'init', canvas: offscreen };
    worker.postMessage(init, [offscreen]);
    worker.onmessage = (event: MessageEvent<FromDecoder>) => {
      const message = event.data;
      switch (message.type) {
        case 'painted':
          socketRef.current?.send({ type: 'frame_ack', seq: message.seq });
          setPainted(true);
          recoveryRef.current.painted(message.whole);
          break;
        case 'size':
          setScreen({ width: message.width, height: message.height });
          break;
        case 'error':
          // The batch was dropped whole; the picture is repaired by a refresh.
          console.warn('screen batch dropped:', message.message);
          if (message.seq !== null) socketRef.current?.send({ type: 'frame_ack', seq: message.seq });
          recoveryRef.current.badFrame();
          break;
        case 'snapshot':
          snapshots.current.settle(message.id, message.png, message.error);
          break;
        case 'video-error':
          if (message.seq !== null) socketRef.current?.send({ type: 'frame_ack', seq: message.seq });
          // A reset decoder needs a key frame; video that cannot work here falls back to tiles.
          if (message.fatal) {
            setVideoProblem(tRef.current('screenMode.videoFailed', { detail: message.message }));
            socketRef.current?.send({ type: 'set_screen_mode', mode: 'all_colours' });
          } else {
            socketRef.current?.send({ type: 'refresh' });
          }
          break;
      }
    };
    worker.onerror = (event) => {
      console.warn('screen decoder failed:', event.message);
      recoveryRef.current.badFrame();
    };
    workerRef.current = worker;
    const detach = attachInput(canvas, {
      screen: () => screenRef.current,
      active: () =>
        phaseRef.current.kind === 'connected' && !viewOnlyRef.current && !toolsRef.current.controlReleased && socketRef.current?.isOpen() === true,
      send: (event) => {
        socketRef.current?.send({ type: 'input', event });
      },
      shortcut: (event) => shortcutRef.current(event),
    });
    return () => {
      detach();
      snapshots.current.failAll('the session view closed');
      worker.terminate();
      workerRef.current = null;
      cursor.dispose();
      cursorRef.current = null;
    };
  }, []);

  useEffect(() => {
    setPhase({ kind: 'connecting' });
    let finished = false;
    const socket = connectSocket<ServerToConsole, ConsoleMessage>(`/api/sessions/${encodeURIComponent(id)}/ws`, {
      onOpen() {
        socket.send({ type: 'hello', protocol_version: PROTOCOL_VERSION });
      },
      onMessage(message) {
        receiveTools(message);
        switch (message.type) {
          case 'ready':
            viewOnlyRef.current = message.view_only;
            setViewOnly(message.view_only);
            setPhase({ kind: 'connected' });
            // After a reconnection the canvas holds an old picture: ask for a full one.
            if (attempt > 0) socket.send({ type: 'refresh' });
            break;
          case 'session_state':
            setTools({ screenPaused: message.screen_paused, controlReleased: message.control_released });
            break;
          case 'refused':
            setActionError(errorText(message.code));
            break;
          case 'screen_info': {
            const resize: ToDecoder = { type: 'resize', width: message.width, height: message.height };
            workerRef.current?.postMessage(resize);
            setScreen({ width: message.width, height: message.height });
            break;
          }
          case 'cursor_shape':
            cursorRef.current?.setShape(message.shape);
            break;
          case 'cursor_moved':
            cursorRef.current?.moveTo(message.x, message.y);
            break;
          case 'cursor_off_screen':
            cursorRef.current?.offScreen();
            break;
          case 'monitors':
            setMonitors(message.layout);
            break;
          case 'stream_adapted':
            setAdapted(message.level > 0 ? { fps: message.frames_per_second, quality: message.lossy_quality } : null);
            break;
          case 'screen_mode':
            setScreenMode(message.mode);
            if (message.mode === 'video') setVideoProblem(null);
            break;
          case 'ended':
            finished = true;
            setPhase({ kind: 'ended', reason: message.reason });
            break;
          case 'error':
            finished = true;
            setPhase(message.code === 'session_ended' ? { kind: 'ended', reason: null } : { kind: 'failed', code: message.code });
            break;
        }
      },
      onBinary(data) {
        const frame: ToDecoder = { type: 'frame', data };
        workerRef.current?.postMessage(frame, [data]);
      },
      onClose() {
        if (!finished) setPhase({ kind: 'disconnected' });
      },
    });
    socketRef.current = socket;
    return () => {
      socket.close();
      socketRef.current = null;
    };
  }, [id, attempt, receiveTools]);

  useEffect(() => {
    if (phase.kind === 'ended' || phase.kind === 'failed') setEnding(false);
  }, [phase.kind]);

  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    const viewport = viewportRef.current;
    if (canvas === null || viewport === null || screen === null) return;
    const apply = (): void => {
      const size = displaySize(screen, { width: viewport.clientWidth, height: viewport.clientHeight }, mode);
      canvas.style.width = `${size.width}px`;
      canvas.style.height = `${size.height}px`;
      cursorRef.current?.render();
    };
    apply();
    const observer = new ResizeObserver(apply);
    observer.observe(viewport);
    return () => observer.disconnect();
  }, [screen, mode]);

  useEffect(() => {
    cursorRef.current?.configure(screen, !viewOnly);
  }, [screen, viewOnly]);

  const refresh = (): void => {
    socketRef.current?.send({ type: 'refresh' });
  };

  const reason = phase.kind === 'ended' ? (phase.reason ?? record?.end_reason ?? null) : null;
  let statusText: string;
  switch (phase.kind) {
    case 'connecting':
      statusText = t('session.status.connecting');
      break;
    case 'connected':
      statusText = painted ? t('session.status.connected') : t('session.status.waiting');
      break;
    case 'ended':
      statusText = reason === null ? t('session.status.ended') : t('session.status.endedWith', { reason: endReason(reason) });
      break;
    case 'failed':
      statusText = t('session.status.failed', { reason: errorText(phase.code) });
      break;
    case 'disconnected':
      statusText = t('session.status.disconnected');
      break;
  }
  const over = phase.kind === 'ended' || phase.kind === 'failed';
  const screenTools = useScreenTools({
    device: record?.device_nickname ?? 'device',
    connected: phase.kind === 'connected',
    painted,
    viewOnly,
    state: tools,
    mode,
    setMode,
    send: (message) => {
      // A new request clears the refusal of the previous one.
      if (message.type === 'control' || message.type === 'screen_sharing') setActionError(null);
      socketRef.current?.send(message);
    },
    snapshot: () =>
      snapshots.current.request((snapshotId) => {
        const request: ToDecoder = { type: 'snapshot', id: snapshotId };
        workerRef.current?.postMessage(request);
      }),
    viewport: () => viewportRef.current,
    focusScreen: () => canvasRef.current?.focus({ preventScroll: true }),
    refresh,
    endSession: () => void endRef.current(),
  });
  const shortcutRef = useRef(screenTools.shortcut);
  shortcutRef.current = screenTools.shortcut;

  // Shortcuts work with the focus anywhere in the view; on the canvas the input
  // controller handles them, so Ctrl, Alt and Shift are let go on the device first.
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.target === canvasRef.current) return;
      const action = shortcutRef.current(event);
      if (action === null) return;
      event.preventDefault();
      action();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);

  return (
    <section class="session" aria-labelledby="session-title">
      <div class="session-bar">
        <div class="session-title">
          <h1 id="session-title">{record === undefined ? t('session.title') : t('session.titleWith', { name: record.device_nickname })}</h1>
          <span class={`session-status session-status-${phase.kind}`} role="status" data-phase={phase.kind}>
            <span class="status-dot" aria-hidden="true" />
            {statusText}
          </span>
          {adapted !== null && (
            <span class="badge badge-slow-link" data-testid="slow-link" title={t('session.slowLinkHint', { fps: adapted.fps, quality: adapted.quality })}>
              {t('session.slowLink')}
            </span>
          )}
          {viewOnly && (
            <span class="badge badge-view-only" data-testid="view-only" title={t('session.viewOnlyHint')}>
              {t('session.viewOnly')}
            </span>
          )}
        </div>
        <div class="session-tools">
          <ClipboardTool tools={deviceTools} send={sendTool} enabled={phase.kind === 'connected' && !viewOnly} />
          <BlockInputTool tools={deviceTools} send={sendTool} enabled={phase.kind === 'connected' && !viewOnly} />
          {hasChoice(monitors) && (
            <MonitorMenu
              layout={monitors}
              canChange={!viewOnly}
              connected={phase.kind === 'connected'}
              onChange={(monitor) => socketRef.current?.send({ type: 'select_monitor', monitor })}
            />
          )}
          <ScreenModeMenu
            mode={screenMode}
            canChange={!viewOnly}
            connected={phase.kind === 'connected'}
            onChange={(mode) => {
              setVideoProblem(null);
              socketRef.current?.send({ type: 'set_screen_mode', mode });
            }}
            videoProblem={videoProblem}
            onVideoUnsupported={() => setVideoProblem(t('screenMode.videoUnsupported'))}
          />
          {tools.controlReleased && !viewOnly && (
            <span class="badge badge-released" data-testid="control-released">
              {t('tools.released')}
            </span>
          )}
          {!over && <Toolbar label={t('tools.label')} groups={screenTools.groups} />}
          {phase.kind === 'disconnected' && (
            <button type="button" class="button button-small" onClick={() => setAttempt((n) => n + 1)}>
              {t('session.reconnect')}
            </button>
          )}
          {over ? (
            <Link to="/sessions" class="button button-small">
              {t('session.history')}
            </Link>
          ) : (
            <button
              type="button"
              class="button button-danger button-small"
              onClick={() => void endSession()}
              disabled={ending}
              aria-keyshortcuts="Control+Alt+Shift+E"
              title={t('session.endHint')}
            >
              {ending ? t('session.ending') : t('session.end')}
            </button>
          )}
        </div>
      </div>
      {actionError !== null && <ErrorMessage>{actionError}</ErrorMessage>}
      {screenTools.error !== null && <ErrorMessage>{screenTools.error}</ErrorMessage>}
      <p class="tool-status" role="status" data-testid="tool-status">
        {screenTools.status ?? ''}
      </p>
      <div ref={viewportRef} class={`session-viewport scale-${mode}${over ? ' is-over' : ''}${screenTools.controlling ? '' : ' is-view-only'}`}>
        <canvas
          ref={canvasRef}
          class={screen === null ? 'remote-screen is-empty' : 'remote-screen'}
          tabIndex={0}
          role="application"
          data-remote-screen=""
          aria-label={screenTools.controlling ? t('session.canvasLabel') : t('session.canvasLabelViewOnly')}
          aria-keyshortcuts="Control+Alt+Shift+E"
        />
        {!over && screenTools.overlay}
        {recovery.damaged && !over && (
          <p class="frame-notice" role="status" data-testid="frame-damaged">
            {t('tools.damaged')}
          </p>
        )}
        {!painted && !over && !tools.screenPaused && (
          <div class="session-placeholder" aria-hidden="true">
            <span class="spinner" />
            {statusText}
          </div>
        )}
      </div>
      {!over && screenTools.keyboard}
      <p class="session-hint">{viewOnly ? t('session.hintViewOnly') : t('session.hint')}</p>
    </section>
  );
}
