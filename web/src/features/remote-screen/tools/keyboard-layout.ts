// The on-screen keyboard's keys (a US layout) and its sticky modifiers: a
// modifier pressed on the panel latches and applies to the next key, then lets
// go. Pure data and a small state machine, unit-tested.

import type { InputEvent } from '../../../gen/proto.ts';
import { KEYSYM } from './special-keys.ts';

export type Modifier = 'control' | 'alt' | 'super' | 'shift';

/** The order modifiers go down in (and come up in reverse). */
export const MODIFIERS: readonly Modifier[] = ['control', 'alt', 'super', 'shift'];

export interface KeyDef {
  /** Unique on the keyboard, used as the button's test hook. */
  id: string;
  /** What the key shows; a catalogue key when `named` (Enter, Tab...). */
  label: string;
  keysym: number;
  /** The character with Shift held, for keys that have one. */
  shifted?: { label: string; keysym: number };
  modifier?: Modifier;
  named?: boolean;
  /** Width in key units (1 when absent). */
  width?: number;
}

const char = (base: string, shifted?: string): KeyDef => ({
  id: `char-${base.codePointAt(0) ?? 0}`,
  label: base,
  keysym: base.codePointAt(0) ?? 0,
  ...(shifted === undefined ? {} : { shifted: { label: shifted, keysym: shifted.codePointAt(0) ?? 0 } }),
});
const letter = (l: string): KeyDef => char(l, l.toUpperCase());
const named = (id: string, keysym: number, width = 1, modifier?: Modifier): KeyDef => ({
  id,
  label: `osk.key.${id}`,
  keysym,
  named: true,
  width,
  ...(modifier === undefined ? {} : { modifier }),
});
const functionKey = (n: number): KeyDef => ({ id: `f${n}`, label: `F${n}`, keysym: KEYSYM.f1 + n - 1 });

export const KEYBOARD_ROWS: readonly (readonly KeyDef[])[] = [
  [named('escape', KEYSYM.escape), ...Array.from({ length: 12 }, (_, i) => functionKey(i + 1)), named('printScreen', KEYSYM.printScreen)],
  [
    ...['`~', '1!', '2@', '3#', '4$', '5%', '6^', '7&', '8*', '9(', '0)', '-_', '=+'].map((pair) => char(pair[0] ?? '', pair[1])),
    named('backspace', 0xff08, 2),
  ],
  [named('tab', KEYSYM.tab, 1.5), ...'qwertyuiop'.split('').map(letter), char('[', '{'), char(']', '}'), char('\\', '|')],
  [...'asdfghjkl'.split('').map(letter), char(';', ':'), char("'", '"'), named('enter', 0xff0d, 2)],
  [named('shift', KEYSYM.shift, 2, 'shift'), ...'zxcvbnm'.split('').map(letter), char(',', '<'), char('.', '>'), char('/', '?')],
  [
    named('control', KEYSYM.control, 1.5, 'control'),
    named('super', KEYSYM.super, 1.5, 'super'),
    named('alt', KEYSYM.alt, 1.5, 'alt'),
    { id: 'space', label: 'osk.key.space', keysym: 0x20, named: true, width: 5 },
    named('left', 0xff51),
    named('up', 0xff52),
    named('down', 0xff54),
    named('right', 0xff53),
  ],
  [named('insert', 0xff63), named('delete', KEYSYM.delete), named('home', 0xff50), named('end', 0xff57), named('pageUp', 0xff55), named('pageDown', 0xff56)],
];

/** Which modifiers are latched for the next key. */
export class StickyModifiers {
  #latched = new Set<Modifier>();

  has(modifier: Modifier): boolean {
    return this.#latched.has(modifier);
  }

  get latched(): Modifier[] {
    return MODIFIERS.filter((m) => this.#latched.has(m));
  }

  /** A modifier key on the panel: latches it, or lets go of it if latched. */
  toggle(modifier: Modifier): void {
    if (!this.#latched.delete(modifier)) this.#latched.add(modifier);
  }

  /**
   * A non-modifier key on the panel: the events that type it with the latched
   * modifiers held, after which the latches are let go. With Shift latched a key
   * that has a shifted character sends that character's keysym (the device types
   * what the key shows, whatever its layout).
   */
  type(key: KeyDef): InputEvent[] {
    const held = this.latched.map((m) => MODIFIER_KEYSYM[m]);
    const keysym = this.#latched.has('shift') && key.shifted !== undefined ? key.shifted.keysym : key.keysym;
    this.#latched.clear();
    const down: InputEvent[] = held.map((k) => ({ kind: 'key', keysym: k, pressed: true }));
    const up: InputEvent[] = [...held].reverse().map((k) => ({ kind: 'key', keysym: k, pressed: false }));
    return [...down, { kind: 'key', keysym, pressed: true }, { kind: 'key', keysym, pressed: false }, ...up];
  }

  clear(): void {
    this.#latched.clear();
  }
}

const MODIFIER_KEYSYM: Record<Modifier, number> = {
  control: KEYSYM.control,
  alt: KEYSYM.alt,
  super: KEYSYM.super,
  shift: KEYSYM.shift,
};
