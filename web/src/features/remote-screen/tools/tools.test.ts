import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InputEvent } from '../../../gen/proto.ts';
import { en } from '../../../i18n/en.ts';
import { KEYBOARD_ROWS, StickyModifiers, type KeyDef } from './keyboard-layout.ts';
import { screenshotName } from './screenshot.ts';
import { ariaShortcut, shortcutChar, shortcutOf } from './shortcuts.ts';
import { comboEvents, KEYSYM, SPECIAL_COMBOS } from './special-keys.ts';

const press = (keysym: number): InputEvent => ({ kind: 'key', keysym, pressed: true });
const release = (keysym: number): InputEvent => ({ kind: 'key', keysym, pressed: false });

function key(id: string): KeyDef {
  const found = KEYBOARD_ROWS.flat().find((k) => k.id === id);
  if (found === undefined) throw new Error(`no key ${id}`);
  return found;
}

describe('shortcuts', () => {
  const event = { code: 'KeyS', ctrlKey: true, altKey: true, shiftKey: true, metaKey: false };

  it('need exactly Ctrl, Alt and Shift', () => {
    assert.equal(shortcutOf(event), 'KeyS');
    assert.equal(shortcutOf({ ...event, metaKey: true }), null);
    assert.equal(shortcutOf({ ...event, shiftKey: false }), null);
    assert.equal(shortcutOf({ ...event, ctrlKey: false }), null);
    assert.equal(shortcutOf({ ...event, altKey: false }), null);
  });

  it('are written for people and for assistive technology', () => {
    assert.equal(shortcutChar('KeyF'), 'F');
    assert.equal(shortcutChar('Slash'), '/');
    assert.equal(ariaShortcut('KeyF'), 'Control+Alt+Shift+F');
  });
});

describe('special key combinations', () => {
  it('press in order and release in reverse', () => {
    assert.deepEqual(comboEvents([KEYSYM.control, KEYSYM.alt, KEYSYM.delete]), [
      press(KEYSYM.control),
      press(KEYSYM.alt),
      press(KEYSYM.delete),
      release(KEYSYM.delete),
      release(KEYSYM.alt),
      release(KEYSYM.control),
    ]);
  });

  it('offer Ctrl+Alt+Del and the Linux consoles F1 to F7, each once', () => {
    const ids = SPECIAL_COMBOS.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(SPECIAL_COMBOS.find((c) => c.id === 'ctrlAltDel')?.keys, [0xffe3, 0xffe9, 0xffff]);
    assert.deepEqual(SPECIAL_COMBOS.find((c) => c.id === 'ctrlAltF7')?.keys, [0xffe3, 0xffe9, 0xffc4]);
  });
});

describe('on-screen keyboard', () => {
  it('has unique keys, all letters and digits, and F1 to F12', () => {
    const keys = KEYBOARD_ROWS.flat();
    assert.equal(new Set(keys.map((k) => k.id)).size, keys.length);
    for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789') assert.ok(keys.some((k) => k.keysym === c.codePointAt(0)), c);
    for (let n = 1; n <= 12; n += 1) assert.ok(keys.some((k) => k.keysym === 0xffbe + n - 1), `F${n}`);
  });

  it('types a plain key as a press and a release', () => {
    const sticky = new StickyModifiers();
    assert.deepEqual(sticky.type(key('char-97')), [press(0x61), release(0x61)]);
  });

  it('holds latched modifiers around the next key only', () => {
    const sticky = new StickyModifiers();
    sticky.toggle('shift');
    sticky.toggle('control');
    assert.deepEqual(sticky.latched, ['control', 'shift']);
    assert.deepEqual(sticky.type(key('char-97')), [press(0xffe3), press(0xffe1), press(0x41), release(0x41), release(0xffe1), release(0xffe3)]);
    assert.deepEqual(sticky.latched, []);
    assert.deepEqual(sticky.type(key('char-49')), [press(0x31), release(0x31)]);
  });

  it('sends the shifted character with Shift latched, and unlatches on a second press', () => {
    const sticky = new StickyModifiers();
    sticky.toggle('shift');
    assert.deepEqual(sticky.type(key('char-49')), [press(0xffe1), press(0x21), release(0x21), release(0xffe1)]);
    sticky.toggle('alt');
    sticky.toggle('alt');
    assert.equal(sticky.has('alt'), false);
    assert.deepEqual(sticky.type(key('f4')), [press(0xffc1), release(0xffc1)]);
  });
});

describe('screenshot names', () => {
  it('carry the device and the local time', () => {
    assert.equal(screenshotName('front-desk', new Date(2026, 11, 5, 9, 7, 3)), 'reach-front-desk-20261205-090703.png');
  });

  it('make the device name safe for a file', () => {
    assert.equal(screenshotName('../Ünïcode pc/1', new Date(2026, 0, 2, 23, 59, 59)), 'reach-n-code-pc-1-20260102-235959.png');
    assert.equal(screenshotName('///', new Date(2026, 0, 2, 0, 0, 0)), 'reach-device-20260102-000000.png');
  });
});

describe('tool text', () => {
  it('exists for every named key and every combination', () => {
    const keys: string[] = Object.keys(en);
    for (const key of KEYBOARD_ROWS.flat()) if (key.named === true) assert.ok(keys.includes(key.label), key.label);
    for (const combo of SPECIAL_COMBOS) assert.ok(keys.includes(`specialKeys.${combo.id}`), combo.id);
  });
});
