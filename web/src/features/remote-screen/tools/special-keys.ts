// Key combinations a technician cannot type into a browser tab (the local
// system takes them: Ctrl+Alt+Del, Alt+Tab, the Windows key...), sent to the
// device as X11 keysym presses and releases. Pure data and functions.

import type { InputEvent } from '../../../gen/proto.ts';

export const KEYSYM = {
  shift: 0xffe1,
  control: 0xffe3,
  alt: 0xffe9,
  super: 0xffeb,
  tab: 0xff09,
  escape: 0xff1b,
  delete: 0xffff,
  printScreen: 0xff61,
  f1: 0xffbe,
  f4: 0xffc1,
  l: 0x6c,
  r: 0x72,
  d: 0x64,
  e: 0x65,
} as const;

/** One entry of the special keys menu. `label` is a catalogue key. */
export interface SpecialCombo {
  id: string;
  keys: readonly number[];
}

const fn = (n: number): number => KEYSYM.f1 + n - 1;

/** What the menu offers, in its order: Windows targets first, then Linux consoles. */
export const SPECIAL_COMBOS: readonly SpecialCombo[] = [
  { id: 'ctrlAltDel', keys: [KEYSYM.control, KEYSYM.alt, KEYSYM.delete] },
  { id: 'ctrlShiftEsc', keys: [KEYSYM.control, KEYSYM.shift, KEYSYM.escape] },
  { id: 'altTab', keys: [KEYSYM.alt, KEYSYM.tab] },
  { id: 'altShiftTab', keys: [KEYSYM.alt, KEYSYM.shift, KEYSYM.tab] },
  { id: 'altF4', keys: [KEYSYM.alt, KEYSYM.f4] },
  { id: 'super', keys: [KEYSYM.super] },
  { id: 'superL', keys: [KEYSYM.super, KEYSYM.l] },
  { id: 'superR', keys: [KEYSYM.super, KEYSYM.r] },
  { id: 'superD', keys: [KEYSYM.super, KEYSYM.d] },
  { id: 'superE', keys: [KEYSYM.super, KEYSYM.e] },
  { id: 'ctrlEsc', keys: [KEYSYM.control, KEYSYM.escape] },
  { id: 'printScreen', keys: [KEYSYM.printScreen] },
  { id: 'altPrintScreen', keys: [KEYSYM.alt, KEYSYM.printScreen] },
  ...[1, 2, 3, 4, 5, 6, 7].map((n) => ({ id: `ctrlAltF${n}`, keys: [KEYSYM.control, KEYSYM.alt, fn(n)] })),
];

/** Presses `keys` in order and releases them in reverse, as a person would. */
export function comboEvents(keys: readonly number[]): InputEvent[] {
  return [
    ...keys.map((keysym): InputEvent => ({ kind: 'key', keysym, pressed: true })),
    ...[...keys].reverse().map((keysym): InputEvent => ({ kind: 'key', keysym, pressed: false })),
  ];
}
