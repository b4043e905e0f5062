// The on-screen keyboard panel: every key of a US keyboard as a button that
// types on the device, with sticky modifiers (see keyboard-layout.ts). Buttons
// never take the focus, so the remote screen keeps it and the technician's own
// keyboard goes on working.

import { useRef, useState } from 'preact/hooks';
import type { InputEvent } from '../../../gen/proto.ts';
import { useI18n, type MessageKey } from '../../../i18n/index.ts';
import { KEYBOARD_ROWS, StickyModifiers, type KeyDef } from './keyboard-layout.ts';

export function OnScreenKeyboard({ disabled, send }: { disabled: boolean; send(events: InputEvent[]): void }) {
  const { t } = useI18n();
  const sticky = useRef(new StickyModifiers());
  // The latches live in `sticky`; this re-renders when they change.
  const [, setVersion] = useState(0);
  const shifted = sticky.current.has('shift');

  const press = (key: KeyDef): void => {
    if (key.modifier !== undefined) sticky.current.toggle(key.modifier);
    else send(sticky.current.type(key));
    setVersion((n) => n + 1);
  };

  const label = (key: KeyDef): string => {
    if (key.named === true) return t(key.label as MessageKey);
    return shifted && key.shifted !== undefined ? key.shifted.label : key.label;
  };

  return (
    <section class="osk" aria-label={t('osk.title')} data-testid="on-screen-keyboard">
      <p class="osk-hint">{t('osk.hint')}</p>
      {KEYBOARD_ROWS.map((row, index) => (
        <div class="osk-row" key={index}>
          {row.map((key) => (
            <button
              type="button"
              key={key.id}
              class={`osk-key${key.modifier !== undefined ? ' osk-modifier' : ''}`}
              data-key={key.id}
              style={{ flexGrow: key.width ?? 1 }}
              aria-pressed={key.modifier === undefined ? undefined : sticky.current.has(key.modifier)}
              disabled={disabled}
              // Keep the focus where it is (the remote screen).
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => press(key)}
            >
              {label(key)}
            </button>
          ))}
        </div>
      ))}
    </section>
  );
}
