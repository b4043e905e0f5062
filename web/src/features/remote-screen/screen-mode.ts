// The screen colour modes as the console lists them, and the keys of their
// selector. Pure functions (no DOM), shared by ScreenModeMenu and its tests.

import type { ScreenMode } from '../../gen/proto.ts';

/** Every mode, from the least bandwidth to the most faithful (the digit is the position). */
export const SCREEN_MODES: readonly ScreenMode[] = ['black_and_white', 'few_colours', 'more_colours', 'all_colours', 'video'];

/** Whether `event` is the shortcut that opens the menu: Ctrl+Alt+Shift+Q, by key position. */
export function isScreenModeShortcut(event: Pick<KeyboardEvent, 'code' | 'ctrlKey' | 'altKey' | 'shiftKey' | 'metaKey'>): boolean {
  return event.ctrlKey && event.altKey && event.shiftKey && !event.metaKey && event.code === 'KeyQ';
}

/** The mode a digit key picks in the open menu (`Digit1` → the first), or null. */
export function modeForDigit(code: string): ScreenMode | null {
  const match = /^(?:Digit|Numpad)([1-9])$/.exec(code);
  return match === null ? null : (SCREEN_MODES[Number(match[1]) - 1] ?? null);
}
