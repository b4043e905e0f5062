// Maps browser input to the remote screen's terms: pointer positions in remote
// pixels, X11 button numbers, wheel notches and X11 keysyms. Pure functions and
// small state machines only (no DOM), so every rule is unit-tested.

export interface Size {
  width: number;
  height: number;
}

/** Where the canvas is drawn on the page (a DOMRect's fields). */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The remote pixel under client coordinates (`clientX`, `clientY`), whatever the
 * canvas's scale and position; clamped to the screen so drags outside it stay valid.
 */
export function toRemotePoint(clientX: number, clientY: number, box: Box, screen: Size): { x: number; y: number } {
  const scaleX = box.width > 0 ? screen.width / box.width : 1;
  const scaleY = box.height > 0 ? screen.height / box.height : 1;
  const x = Math.floor((clientX - box.left) * scaleX);
  const y = Math.floor((clientY - box.top) * scaleY);
  return { x: clamp(x, 0, screen.width - 1), y: clamp(y, 0, screen.height - 1) };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), Math.max(min, max));
}

/** `MouseEvent.button` → X11 button: left 1, middle 2, right 3, back 8, forward 9. */
export function x11Button(button: number): number | null {
  switch (button) {
    case 0:
      return 1;
    case 1:
      return 2;
    case 2:
      return 3;
    case 3:
      return 8;
    case 4:
      return 9;
    default:
      return null;
  }
}

/** `WheelEvent.deltaMode` values. */
export const DOM_DELTA_PIXEL = 0;
export const DOM_DELTA_LINE = 1;
export const DOM_DELTA_PAGE = 2;

/** Pixels of wheel travel that make one notch. */
export const PIXELS_PER_NOTCH = 100;
/** Notches sent for one page of wheel travel (rare: only some mice and settings). */
export const NOTCHES_PER_PAGE = 3;

/**
 * Turns wheel deltas into whole notches, carrying the remainder over, so smooth
 * touchpads scroll as far as notched wheels do.
 */
export class WheelAccumulator {
  #x = 0;
  #y = 0;

  /** Adds one WheelEvent's deltas; returns the whole notches to send now. */
  add(deltaX: number, deltaY: number, deltaMode: number): { dx: number; dy: number } {
    const unit = deltaMode === DOM_DELTA_LINE ? 1 : deltaMode === DOM_DELTA_PAGE ? 1 / NOTCHES_PER_PAGE : PIXELS_PER_NOTCH;
    this.#x += deltaX / unit;
    this.#y += deltaY / unit;
    const dx = Math.trunc(this.#x);
    const dy = Math.trunc(this.#y);
    this.#x -= dx;
    this.#y -= dy;
    return { dx: clamp(dx, -32768, 32767), dy: clamp(dy, -32768, 32767) };
  }

  reset(): void {
    this.#x = 0;
    this.#y = 0;
  }
}

/** Keys identified by their physical position (`KeyboardEvent.code`). */
const BY_CODE: Record<string, number> = {
  ShiftLeft: 0xffe1,
  ShiftRight: 0xffe2,
  ControlLeft: 0xffe3,
  ControlRight: 0xffe4,
  CapsLock: 0xffe5,
  MetaLeft: 0xffeb,
  MetaRight: 0xffec,
  OSLeft: 0xffeb,
  OSRight: 0xffec,
  AltLeft: 0xffe9,
  AltRight: 0xffea,
  NumLock: 0xff7f,
  ScrollLock: 0xff14,
  NumpadEnter: 0xff8d,
  NumpadAdd: 0xffab,
  NumpadSubtract: 0xffad,
  NumpadMultiply: 0xffaa,
  NumpadDivide: 0xffaf,
  NumpadEqual: 0xffbd,
  NumpadComma: 0xffac,
};

/** Keypad keys with NumLock off send navigation keys (`key`); X11 has keypad variants. */
const KEYPAD_BY_KEY: Record<string, number> = {
  Home: 0xff95,
  ArrowLeft: 0xff96,
  ArrowUp: 0xff97,
  ArrowRight: 0xff98,
  ArrowDown: 0xff99,
  PageUp: 0xff9a,
  PageDown: 0xff9b,
  End: 0xff9c,
  Clear: 0xff9d,
  Insert: 0xff9e,
  Delete: 0xff9f,
};

/** Named keys (`KeyboardEvent.key`). */
const BY_KEY: Record<string, number> = {
  Enter: 0xff0d,
  Backspace: 0xff08,
  Tab: 0xff09,
  Escape: 0xff1b,
  Delete: 0xffff,
  Home: 0xff50,
  ArrowLeft: 0xff51,
  ArrowUp: 0xff52,
  ArrowRight: 0xff53,
  ArrowDown: 0xff54,
  PageUp: 0xff55,
  PageDown: 0xff56,
  End: 0xff57,
  Insert: 0xff63,
  ContextMenu: 0xff67,
  PrintScreen: 0xff61,
  Pause: 0xff13,
  Clear: 0xff0b,
  // Modifiers, when the event carries no usable `code` (virtual keyboards).
  Shift: 0xffe1,
  Control: 0xffe3,
  Alt: 0xffe9,
  Meta: 0xffeb,
  CapsLock: 0xffe5,
  NumLock: 0xff7f,
  ScrollLock: 0xff14,
};
for (let n = 1; n <= 24; n += 1) BY_KEY[`F${n}`] = 0xffbe + n - 1;

/** The keysym of a single character: Latin-1 maps to itself, the rest to Unicode keysyms. */
export function charKeysym(char: string): number | null {
  const codePoints = [...char];
  if (codePoints.length !== 1) return null;
  const codePoint = char.codePointAt(0);
  if (codePoint === undefined) return null;
  if ((codePoint >= 0x20 && codePoint <= 0x7e) || (codePoint >= 0xa0 && codePoint <= 0xff)) return codePoint;
  if (codePoint < 0xa0) return null;
  return 0x01000000 + codePoint;
}

/**
 * The X11 keysym for a key event, or null when the key must not be forwarded
 * (dead keys, IME composition, unknown keys).
 */
export function keysymFor(code: string, key: string): number | null {
  if (key === 'Dead' || key === 'Process' || (key === 'Unidentified' && !(code in BY_CODE))) return null;
  if (key === 'AltGraph') return 0xfe03;
  const byCode = BY_CODE[code];
  if (byCode !== undefined) return byCode;
  if (code.startsWith('Numpad')) {
    const digit = /^Numpad([0-9])$/.exec(code)?.[1];
    if (digit !== undefined && key === digit) return 0xffb0 + Number(digit);
    if (code === 'NumpadDecimal' && (key === '.' || key === ',')) return 0xffae;
    const keypad = KEYPAD_BY_KEY[key];
    if (keypad !== undefined) return keypad;
  }
  const byKey = BY_KEY[key];
  if (byKey !== undefined) return byKey;
  return charKeysym(key);
}

/**
 * Remembers which keysym each physical key pressed, so its release sends the same
 * keysym even if modifiers changed in between (press Shift+a → 'A', release Shift,
 * release a: the key-up must still release 'A').
 */
export class KeyTracker {
  readonly #down = new Map<string, number>();

  /** A key went down: the keysym to press, or null to ignore the event. */
  press(code: string, key: string): number | null {
    const keysym = keysymFor(code, key);
    if (keysym === null) return null;
    this.#down.set(code === '' ? key : code, keysym);
    return keysym;
  }

  /** A key went up: the keysym to release, or null if it was never forwarded. */
  release(code: string, key: string): number | null {
    const id = code === '' ? key : code;
    const keysym = this.#down.get(id);
    if (keysym === undefined) return null;
    this.#down.delete(id);
    return keysym;
  }

  /** Forgets every held key (after sending release_all). */
  clear(): void {
    this.#down.clear();
  }

  get held(): number {
    return this.#down.size;
  }
}
