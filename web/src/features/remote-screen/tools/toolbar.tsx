// The session's toolbar: a row of icon buttons described by `Tool` objects, so
// adding a tool is adding an object (clipboard, blocking the end user's input
// and colour modes come this way). Each button has its label as `aria-label`,
// the label and shortcut as its tooltip, `aria-keyshortcuts`, `aria-pressed`
// for toggles and `aria-expanded` for tools that open a popup. The same list
// drives the keyboard shortcuts (`toolForShortcut`) and the help popover.

import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from '../../../i18n/index.ts';
import { ariaShortcut, shortcutChar, shortcutOf, type ShortcutEvent, type ShortcutKey } from './shortcuts.ts';

export interface Tool {
  /** Stable id: the button's `data-tool` (tests and styles use it). */
  id: string;
  /** What the tool does, translated; also the accessible name. */
  label: string;
  icon: () => JSX.Element;
  /** Ctrl+Alt+Shift+<key> runs the tool from anywhere in the session view. */
  shortcut?: ShortcutKey;
  /** For toggles: whether the tool is on. */
  pressed?: boolean;
  disabled?: boolean;
  /** Tools that open a popup say whether it is open; the popup is `popup`. */
  expanded?: boolean;
  popup?: ComponentChildren;
  /** Draws attention to the tool (a paused screen, released control). */
  tone?: 'warning';
  run(): void;
}

/**
 * The tool whose shortcut `event` is. A disabled tool's shortcut still belongs to
 * the console (it does nothing), so it never reaches the device by surprise.
 */
export function toolForShortcut(tools: readonly Tool[], event: ShortcutEvent): Tool | null {
  const key = shortcutOf(event);
  if (key === null) return null;
  return tools.find((tool) => tool.shortcut === key) ?? null;
}

/** Groups of tools, separated by a line. */
export function Toolbar({ label, groups }: { label: string; groups: readonly (readonly Tool[])[] }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);

  // Arrow keys move between the buttons, as in any toolbar.
  const onKeyDown = (event: KeyboardEvent): void => {
    if (!['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) return;
    const buttons = [...(ref.current?.querySelectorAll<HTMLButtonElement>(':scope > .tool-group > .tool-slot > button:not(:disabled)') ?? [])];
    const at = buttons.findIndex((button) => button === document.activeElement);
    if (at === -1) return;
    event.preventDefault();
    const next = event.key === 'Home' ? 0 : event.key === 'End' ? buttons.length - 1 : (at + (event.key === 'ArrowRight' ? 1 : -1) + buttons.length) % buttons.length;
    buttons[next]?.focus();
  };

  return (
    <div ref={ref} class="toolbar" role="toolbar" aria-label={label} onKeyDown={onKeyDown}>
      {groups
        .filter((group) => group.length > 0)
        .map((group, index) => (
          <div class="tool-group" key={index}>
            {group.map((tool) => (
              <div class="tool-slot" key={tool.id}>
                <button
                  type="button"
                  class={`tool-button${tool.tone === 'warning' ? ' is-warning' : ''}`}
                  data-tool={tool.id}
                  aria-label={tool.label}
                  title={tool.shortcut === undefined ? tool.label : t('tools.withShortcut', { label: tool.label, shortcut: t('tools.shortcut', { key: shortcutChar(tool.shortcut) }) })}
                  aria-keyshortcuts={tool.shortcut === undefined ? undefined : ariaShortcut(tool.shortcut)}
                  aria-pressed={tool.pressed}
                  aria-expanded={tool.expanded}
                  aria-haspopup={tool.popup === undefined && tool.expanded === undefined ? undefined : 'true'}
                  disabled={tool.disabled}
                  onClick={() => tool.run()}
                >
                  {tool.icon()}
                </button>
                {tool.expanded === true && tool.popup}
              </div>
            ))}
          </div>
        ))}
    </div>
  );
}

/**
 * A popup under a tool button. Escape or a click elsewhere closes it and gives the
 * focus back; the first item takes the focus when it opens.
 */
export function ToolPopup({ label, role, onClose, children }: { label: string; role: 'menu' | 'dialog'; onClose(): void; children: ComponentChildren }) {
  const ref = useRef<HTMLDivElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useEffect(() => {
    const popup = ref.current;
    const opener = popup?.parentElement?.querySelector<HTMLButtonElement>(':scope > button') ?? null;
    popup?.querySelector<HTMLElement>('button, [tabindex]')?.focus();
    const onPointer = (event: PointerEvent): void => {
      const target = event.target as Node | null;
      if (target !== null && popup?.parentElement?.contains(target) !== true) closeRef.current();
    };
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      closeRef.current();
      opener?.focus();
    };
    document.addEventListener('pointerdown', onPointer, true);
    popup?.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer, true);
      popup?.removeEventListener('keydown', onKey);
    };
  }, []);

  const onKeyDown = (event: KeyboardEvent): void => {
    if (role !== 'menu' || (event.key !== 'ArrowDown' && event.key !== 'ArrowUp')) return;
    const items = [...(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = items.findIndex((item) => item === document.activeElement);
    event.preventDefault();
    event.stopPropagation();
    items[(at + (event.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length]?.focus();
  };

  return (
    <div ref={ref} class={`tool-popup tool-popup-${role}`} role={role} aria-label={label} onKeyDown={onKeyDown}>
      {children}
    </div>
  );
}
