// Listens to pointer, wheel and keyboard events on the remote-screen canvas and
// sends them as InputEvents. The mapping rules live in input.ts; this module only
// wires DOM events to them.

import type { InputEvent } from '../../gen/proto.ts';
import { KeyTracker, toRemotePoint, WheelAccumulator, x11Button, type Size } from './input.ts';

export interface InputTarget {
  /** The remote screen size, or null before the first ScreenInfo. */
  screen(): Size | null;
  /** Whether input may be sent now (the session is connected). */
  active(): boolean;
  send(event: InputEvent): void;
  /** The action of the console shortcut (Ctrl+Alt+Shift+<key>) `event` is, or null. */
  shortcut(event: KeyboardEvent): (() => void) | null;
}

/** Attaches the listeners; returns the function that removes them. */
export function attachInput(canvas: HTMLCanvasElement, target: InputTarget): () => void {
  const keys = new KeyTracker();
  const wheel = new WheelAccumulator();
  let pendingMove: { x: number; y: number } | null = null;
  let lastMove: { x: number; y: number } | null = null;
  let moveFrame = 0;

  const point = (event: MouseEvent): { x: number; y: number } | null => {
    const screen = target.screen();
    if (screen === null) return null;
    return toRemotePoint(event.clientX, event.clientY, canvas.getBoundingClientRect(), screen);
  };

  const flushMove = (): void => {
    if (moveFrame !== 0) cancelAnimationFrame(moveFrame);
    moveFrame = 0;
    const move = pendingMove;
    pendingMove = null;
    if (move === null || (lastMove !== null && lastMove.x === move.x && lastMove.y === move.y)) return;
    lastMove = move;
    target.send({ kind: 'pointer_move', x: move.x, y: move.y });
  };

  const onPointerMove = (event: PointerEvent): void => {
    if (!target.active()) return;
    const at = point(event);
    if (at === null) return;
    pendingMove = at;
    if (moveFrame === 0) moveFrame = requestAnimationFrame(flushMove);
  };

  const onPointerButton = (event: PointerEvent, pressed: boolean): void => {
    if (pressed) canvas.focus({ preventScroll: true });
    if (!target.active()) return;
    const button = x11Button(event.button);
    const at = point(event);
    if (button === null || at === null) return;
    event.preventDefault();
    if (pressed) canvas.setPointerCapture(event.pointerId);
    pendingMove = at;
    flushMove();
    target.send({ kind: 'pointer_button', x: at.x, y: at.y, button, pressed });
  };

  const onPointerDown = (event: PointerEvent): void => onPointerButton(event, true);
  const onPointerUp = (event: PointerEvent): void => onPointerButton(event, false);

  const onWheel = (event: WheelEvent): void => {
    if (!target.active()) return;
    event.preventDefault();
    const at = point(event);
    if (at === null) return;
    const { dx, dy } = wheel.add(event.deltaX, event.deltaY, event.deltaMode);
    if (dx === 0 && dy === 0) return;
    pendingMove = at;
    flushMove();
    target.send({ kind: 'wheel', x: at.x, y: at.y, delta_x: dx, delta_y: dy });
  };

  const onKeyDown = (event: KeyboardEvent): void => {
    const shortcut = target.shortcut(event);
    if (shortcut !== null) {
      event.preventDefault();
      // Ctrl, Alt and Shift already went down on the device: let go of them first.
      releaseAll();
      shortcut();
      return;
    }
    if (!target.active() || event.isComposing) return;
    const keysym = keys.press(event.code, event.key);
    if (keysym === null) return;
    event.preventDefault();
    target.send({ kind: 'key', keysym, pressed: true });
  };

  const onKeyUp = (event: KeyboardEvent): void => {
    const keysym = keys.release(event.code, event.key);
    if (keysym === null) return;
    event.preventDefault();
    if (target.active()) target.send({ kind: 'key', keysym, pressed: false });
  };

  function releaseAll(): void {
    wheel.reset();
    keys.clear();
    if (target.active()) target.send({ kind: 'release_all' });
  }

  const onVisibility = (): void => {
    if (document.visibilityState === 'hidden') releaseAll();
  };
  const preventMenu = (event: Event): void => event.preventDefault();
  const preventAutoscroll = (event: MouseEvent): void => {
    if (event.button === 1) event.preventDefault();
  };

  canvas.addEventListener('pointermove', onPointerMove);
  canvas.addEventListener('pointerdown', onPointerDown);
  canvas.addEventListener('pointerup', onPointerUp);
  canvas.addEventListener('wheel', onWheel, { passive: false });
  canvas.addEventListener('keydown', onKeyDown);
  canvas.addEventListener('keyup', onKeyUp);
  canvas.addEventListener('blur', releaseAll);
  canvas.addEventListener('contextmenu', preventMenu);
  canvas.addEventListener('mousedown', preventAutoscroll);
  window.addEventListener('blur', releaseAll);
  document.addEventListener('visibilitychange', onVisibility);

  return () => {
    if (moveFrame !== 0) cancelAnimationFrame(moveFrame);
    canvas.removeEventListener('pointermove', onPointerMove);
    canvas.removeEventListener('pointerdown', onPointerDown);
    canvas.removeEventListener('pointerup', onPointerUp);
    canvas.removeEventListener('wheel', onWheel);
    canvas.removeEventListener('keydown', onKeyDown);
    canvas.removeEventListener('keyup', onKeyUp);
    canvas.removeEventListener('blur', releaseAll);
    canvas.removeEventListener('contextmenu', preventMenu);
    canvas.removeEventListener('mousedown', preventAutoscroll);
    window.removeEventListener('blur', releaseAll);
    document.removeEventListener('visibilitychange', onVisibility);
  };
}

