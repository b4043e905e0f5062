// The screen colour modes as the console lists them, and the keys of their
// selector. Pure functions (no DOM), shared by ScreenModeMenu and its tests.

import type { ScreenMode } from '../../gen/proto.ts';
import { choiceForDigit, menuShortcut } from './choice.ts';
import type { ShortcutEvent } from './tools/shortcuts.ts';

/** Every mode, from the least bandwidth to the most faithful (the digit is the position). */
export const SCREEN_MODES: readonly ScreenMode[] = ['black_and_white', 'few_colours', 'more_colours', 'all_colours', 'video'];

/** Ctrl+Alt+Shift+Q, by key position, opens the menu. */
export const SCREEN_MODE_SHORTCUT = menuShortcut('KeyQ');

/** Whether `event` is the shortcut that opens the menu. */
export function isScreenModeShortcut(event: ShortcutEvent): boolean {
  return SCREEN_MODE_SHORTCUT.matches(event);
}

/** The mode a digit key picks in the open menu (`Digit1` → the first), or null. */
export function modeForDigit(code: string): ScreenMode | null {
  return choiceForDigit(code, SCREEN_MODES);
}
