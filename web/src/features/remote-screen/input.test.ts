import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { charKeysym, KeyTracker, keysymFor, toRemotePoint, WheelAccumulator, x11Button } from './input.ts';

describe('toRemotePoint', () => {
  const screen = { width: 1280, height: 800 };

  it('maps 1:1 with the canvas offset removed', () => {
    const box = { left: 10, top: 50, width: 1280, height: 800 };
    assert.deepEqual(toRemotePoint(210, 650, box, screen), { x: 200, y: 600 });
  });

  it('undoes scaling', () => {
    const box = { left: 0, top: 100, width: 640, height: 400 };
    assert.deepEqual(toRemotePoint(100, 400, box, screen), { x: 200, y: 600 });
    const up = { left: 0, top: 0, width: 1920, height: 1200 };
    assert.deepEqual(toRemotePoint(300, 900, up, screen), { x: 200, y: 600 });
  });

  it('clamps to the screen', () => {
    const box = { left: 100, top: 100, width: 640, height: 400 };
    assert.deepEqual(toRemotePoint(0, 0, box, screen), { x: 0, y: 0 });
    assert.deepEqual(toRemotePoint(5000, 5000, box, screen), { x: 1279, y: 799 });
    assert.deepEqual(toRemotePoint(740, 500, box, screen), { x: 1279, y: 799 });
  });
});

describe('x11Button', () => {
  it('maps DOM buttons to X11 buttons', () => {
    assert.equal(x11Button(0), 1);
    assert.equal(x11Button(1), 2);
    assert.equal(x11Button(2), 3);
    assert.equal(x11Button(3), 8);
    assert.equal(x11Button(4), 9);
    assert.equal(x11Button(7), null);
  });
});

describe('WheelAccumulator', () => {
  it('turns 100 pixels into one notch and keeps the remainder', () => {
    const wheel = new WheelAccumulator();
    assert.deepEqual(wheel.add(0, 60, 0), { dx: 0, dy: 0 });
    assert.deepEqual(wheel.add(0, 60, 0), { dx: 0, dy: 1 });
    assert.deepEqual(wheel.add(0, 80, 0), { dx: 0, dy: 1 });
    assert.deepEqual(wheel.add(0, -250, 0), { dx: 0, dy: -2 });
  });

  it('counts lines and pages', () => {
    const wheel = new WheelAccumulator();
    assert.deepEqual(wheel.add(0, 3, 1), { dx: 0, dy: 3 });
    assert.deepEqual(wheel.add(-1, 0, 1), { dx: -1, dy: 0 });
    assert.deepEqual(wheel.add(0, 1, 2), { dx: 0, dy: 3 });
  });

  it('forgets partial notches on reset', () => {
    const wheel = new WheelAccumulator();
    wheel.add(0, 90, 0);
    wheel.reset();
    assert.deepEqual(wheel.add(0, 20, 0), { dx: 0, dy: 0 });
  });
});

describe('keysymFor', () => {
  it('maps named keys', () => {
    const cases: [string, string, number][] = [
      ['Enter', 'Enter', 0xff0d],
      ['Backspace', 'Backspace', 0xff08],
      ['Tab', 'Tab', 0xff09],
      ['Escape', 'Escape', 0xff1b],
      ['Delete', 'Delete', 0xffff],
      ['Home', 'Home', 0xff50],
      ['ArrowLeft', 'ArrowLeft', 0xff51],
      ['ArrowUp', 'ArrowUp', 0xff52],
      ['ArrowRight', 'ArrowRight', 0xff53],
      ['ArrowDown', 'ArrowDown', 0xff54],
      ['PageUp', 'PageUp', 0xff55],
      ['PageDown', 'PageDown', 0xff56],
      ['End', 'End', 0xff57],
      ['Insert', 'Insert', 0xff63],
      ['F1', 'F1', 0xffbe],
      ['F12', 'F12', 0xffc9],
      ['ContextMenu', 'ContextMenu', 0xff67],
      ['PrintScreen', 'PrintScreen', 0xff61],
      ['Pause', 'Pause', 0xff13],
      ['Space', ' ', 0x20],
    ];
    for (const [code, key, keysym] of cases) assert.equal(keysymFor(code, key), keysym, `${code}/${key}`);
  });

  it('maps modifiers by position', () => {
    assert.equal(keysymFor('ShiftLeft', 'Shift'), 0xffe1);
    assert.equal(keysymFor('ShiftRight', 'Shift'), 0xffe2);
    assert.equal(keysymFor('ControlLeft', 'Control'), 0xffe3);
    assert.equal(keysymFor('ControlRight', 'Control'), 0xffe4);
    assert.equal(keysymFor('CapsLock', 'CapsLock'), 0xffe5);
    assert.equal(keysymFor('MetaLeft', 'Meta'), 0xffeb);
    assert.equal(keysymFor('MetaRight', 'Meta'), 0xffec);
    assert.equal(keysymFor('AltLeft', 'Alt'), 0xffe9);
    assert.equal(keysymFor('AltRight', 'Alt'), 0xffea);
    assert.equal(keysymFor('AltRight', 'AltGraph'), 0xfe03);
    assert.equal(keysymFor('', 'Shift'), 0xffe1);
  });

  it('maps the keypad by NumLock state', () => {
    assert.equal(keysymFor('NumLock', 'NumLock'), 0xff7f);
    assert.equal(keysymFor('Numpad7', '7'), 0xffb7);
    assert.equal(keysymFor('Numpad7', 'Home'), 0xff95);
    assert.equal(keysymFor('NumpadDecimal', '.'), 0xffae);
    assert.equal(keysymFor('NumpadDecimal', 'Delete'), 0xff9f);
    assert.equal(keysymFor('NumpadEnter', 'Enter'), 0xff8d);
    assert.equal(keysymFor('NumpadAdd', '+'), 0xffab);
    assert.equal(keysymFor('NumpadMultiply', '*'), 0xffaa);
  });

  it('maps characters to Latin-1 or Unicode keysyms', () => {
    assert.equal(keysymFor('KeyA', 'a'), 0x61);
    assert.equal(keysymFor('KeyA', 'A'), 0x41);
    assert.equal(keysymFor('Digit1', '!'), 0x21);
    assert.equal(keysymFor('Digit2', 'é'), 0xe9);
    assert.equal(keysymFor('KeyE', '€'), 0x010020ac);
    assert.equal(keysymFor('KeyQ', '😀'), 0x0101f600);
    assert.equal(charKeysym('\u00a0'), 0xa0);
    assert.equal(charKeysym('\u0085'), null);
    assert.equal(charKeysym('ab'), null);
  });

  it('ignores dead keys and composition', () => {
    assert.equal(keysymFor('BracketLeft', 'Dead'), null);
    assert.equal(keysymFor('KeyA', 'Process'), null);
    assert.equal(keysymFor('', 'Unidentified'), null);
    assert.equal(keysymFor('Fn', 'Fn'), null);
  });
});

describe('KeyTracker', () => {
  it('releases the keysym that was pressed, whatever the modifiers say now', () => {
    const keys = new KeyTracker();
    assert.equal(keys.press('ShiftLeft', 'Shift'), 0xffe1);
    assert.equal(keys.press('KeyA', 'A'), 0x41);
    assert.equal(keys.release('ShiftLeft', 'Shift'), 0xffe1);
    assert.equal(keys.release('KeyA', 'a'), 0x41);
    assert.equal(keys.held, 0);
  });

  it('does not release what it never pressed', () => {
    const keys = new KeyTracker();
    assert.equal(keys.press('Quote', 'Dead'), null);
    assert.equal(keys.release('Quote', "'"), null);
    assert.equal(keys.release('KeyB', 'b'), null);
  });

  it('forgets everything on clear', () => {
    const keys = new KeyTracker();
    keys.press('ControlLeft', 'Control');
    keys.clear();
    assert.equal(keys.release('ControlLeft', 'Control'), null);
  });
});
