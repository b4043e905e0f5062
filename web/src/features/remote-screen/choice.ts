// The keys of the toolbar's choice menus (ChoiceMenu.tsx): Ctrl+Alt+Shift+<key>
// opens one, digits pick in it. Pure functions (no DOM), shared with the tests.

import { ariaShortcut, shortcutOf, type ShortcutEvent, type ShortcutKey } from './tools/shortcuts.ts';

/** A menu's opening shortcut: as `aria-keyshortcuts` spells it, and its matcher. */
export interface MenuShortcut {
  aria: string;
  matches(event: ShortcutEvent): boolean;
}

export function menuShortcut(key: ShortcutKey): MenuShortcut {
  return { aria: ariaShortcut(key), matches: (event) => shortcutOf(event) === key };
}

/** The choice a digit key picks (`Digit1` → the first), or null. */
export function choiceForDigit<T>(code: string, choices: readonly T[]): T | null {
  const match = /^(?:Digit|Numpad)([1-9])$/.exec(code);
  return match === null ? null : (choices[Number(match[1]) - 1] ?? null);
}
