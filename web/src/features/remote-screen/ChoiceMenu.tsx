// A toolbar button that opens a menu of exclusive choices (the screen colour
// mode, the monitor shown): the button shows what the server announced, the
// menu lists the choices with digits 1–9. The shortcut opens the menu from
// anywhere in the session (the key is not sent to the device); in the menu,
// digits pick, arrows move, Esc closes, and a click outside closes it.

import { useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { choiceForDigit, type MenuShortcut } from './choice.ts';

export interface Choice<T> {
  value: T;
  label: string;
  detail?: string;
  /** A short mark after the label, e.g. "P" for the primary monitor. */
  mark?: { text: string; title: string };
}

interface Props<T> {
  /** Class of the wrapper; the menu's look is shared. */
  className: string;
  choices: readonly Choice<T>[];
  /** The choice the server announced, or null. */
  selected: T | null;
  /** What the button says (the current choice, or "switching"). */
  buttonText: string;
  /** The button's tooltip and accessible name. */
  hint: string;
  menuLabel: string;
  menuHint: string;
  shortcut: MenuShortcut;
  enabled: boolean;
  busy: boolean;
  icon: ComponentChildren;
  /** `data-*` attributes of the button, for tests and styles. */
  data: Record<string, string>;
  onChoose(value: T): void;
  children?: ComponentChildren;
}

export function ChoiceMenu<T>(props: Props<T>) {
  const { choices, selected, enabled, onChoose, shortcut } = props;
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);

  const choose = (value: T): void => {
    setOpen(false);
    buttonRef.current?.focus();
    if (value !== selected) onChoose(value);
  };

  // The shortcut works wherever focus is in the page, including the remote
  // screen, which would otherwise send the key to the device.
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (!shortcut.matches(event)) return;
      event.preventDefault();
      event.stopPropagation();
      if (enabled) setOpen(true);
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, [enabled, shortcut]);

  useEffect(() => {
    if (!open) return;
    const selectedItem = menuRef.current?.querySelector<HTMLElement>('[aria-checked="true"]') ?? menuRef.current?.querySelector<HTMLElement>('[role="menuitemradio"]');
    selectedItem?.focus();
    const onPointer = (event: PointerEvent): void => {
      const target = event.target as Node | null;
      if (target !== null && !menuRef.current?.contains(target) && !buttonRef.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  useEffect(() => {
    if (!enabled) setOpen(false);
  }, [enabled]);

  const onMenuKey = (event: KeyboardEvent): void => {
    if (!open) return;
    const digit = choiceForDigit(
      event.code,
      choices.map((choice) => choice.value),
    );
    const items = [...(menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitemradio"]') ?? [])];
    const at = items.findIndex((item) => item === document.activeElement);
    if (digit !== null) {
      event.preventDefault();
      choose(digit);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      setOpen(false);
      buttonRef.current?.focus();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : items.length - 1;
      items[(at + step) % items.length]?.focus();
    } else if (event.key === 'Tab') {
      setOpen(false);
    }
  };

  const data = Object.fromEntries(Object.entries(props.data).map(([name, value]) => [`data-${name}`, value]));
  return (
    // Keys are taken on the wrapper: while the menu opens, focus may still be on the button.
    <div class={`choice-menu ${props.className}`} onKeyDown={onMenuKey}>
      <button
        ref={buttonRef}
        type="button"
        class="button button-small choice-menu-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-keyshortcuts={shortcut.aria}
        aria-label={props.hint}
        aria-busy={props.busy}
        title={props.hint}
        disabled={!enabled}
        onClick={() => setOpen((was) => !was)}
        {...data}
      >
        {props.icon}
        <span class="choice-menu-name">{props.buttonText}</span>
      </button>
      {open && (
        <div ref={menuRef} class="choice-menu-list" role="menu" aria-label={props.menuLabel}>
          {choices.map((choice, index) => (
            <button
              key={choice.label}
              type="button"
              role="menuitemradio"
              aria-checked={choice.value === selected}
              aria-keyshortcuts={index < 9 ? String(index + 1) : undefined}
              tabIndex={-1}
              onClick={() => choose(choice.value)}
            >
              <kbd>{index < 9 ? index + 1 : ''}</kbd>
              <span class="choice-menu-item">
                <span>
                  {choice.label}
                  {choice.mark !== undefined && (
                    <abbr class="choice-menu-mark" title={choice.mark.title}>
                      {choice.mark.text}
                    </abbr>
                  )}
                </span>
                {choice.detail !== undefined && <small>{choice.detail}</small>}
              </span>
            </button>
          ))}
          <p class="choice-menu-help">{props.menuHint}</p>
        </div>
      )}
      {props.children}
    </div>
  );
}
