// The console's own keyboard shortcuts in a session: Ctrl+Alt+Shift+<key>, a
// combination no application on the device is likely to need, so every other
// key goes to the device. Pure functions (no DOM), shared by the toolbar, the
// help popover and the input controller.

/** The fields of a KeyboardEvent a shortcut is matched on. */
export interface ShortcutEvent {
  code: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

/**
 * The key of a shortcut: a letter (`KeyE`) or `Slash`, matched by position
 * (`KeyboardEvent.code`) so it works whatever the technician's layout.
 */
export type ShortcutKey = `Key${Uppercase<string>}` | 'Slash';

/** `KeyE` → `E`, `Slash` → `/`. */
export function shortcutChar(key: ShortcutKey): string {
  return key === 'Slash' ? '/' : key.slice(3);
}

/** The `aria-keyshortcuts` value: `Control+Alt+Shift+E`. */
export function ariaShortcut(key: ShortcutKey): string {
  return `Control+Alt+Shift+${shortcutChar(key)}`;
}

/** The key of `event` if it is held with exactly Ctrl, Alt and Shift, else null. */
export function shortcutOf(event: ShortcutEvent): string | null {
  if (!event.ctrlKey || !event.altKey || !event.shiftKey || event.metaKey) return null;
  return event.code;
}
