import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MonitorLayout } from '../../gen/proto.ts';
import { choiceForDigit } from './choice.ts';
import { ALL_MONITORS, desktopSize, hasChoice, MONITOR_SHORTCUT, monitorChoices, shownChoice } from './monitors.ts';

const dualHead: MonitorLayout = {
  monitors: [
    { name: 'RIGHT', primary: true, x: 1920, y: 0, width: 1280, height: 1024 },
    { name: 'LEFT', primary: false, x: 0, y: 0, width: 1920, height: 1080 },
  ],
  shown: 'RIGHT',
};

describe('monitors', () => {
  it('list each monitor in the device order, then all of them', () => {
    assert.deepEqual(monitorChoices(dualHead), ['RIGHT', 'LEFT', ALL_MONITORS]);
    assert.equal(shownChoice(dualHead), 'RIGHT');
    assert.equal(shownChoice({ ...dualHead, shown: null }), ALL_MONITORS);
    assert.equal(choiceForDigit('Digit3', monitorChoices(dualHead)), ALL_MONITORS);
    assert.equal(choiceForDigit('Digit4', monitorChoices(dualHead)), null);
  });

  it('offer a choice only with two monitors or more', () => {
    assert.equal(hasChoice(null), false);
    assert.equal(hasChoice({ monitors: [dualHead.monitors[0]!], shown: 'RIGHT' }), false);
    assert.equal(hasChoice({ monitors: [], shown: null }), false);
    assert.equal(hasChoice(dualHead), true);
  });

  it('measure the whole desktop around every monitor', () => {
    assert.deepEqual(desktopSize(dualHead.monitors), { width: 3200, height: 1080 });
    assert.deepEqual(desktopSize([]), { width: 0, height: 0 });
  });

  it('open on Ctrl+Alt+Shift+M by key position', () => {
    const base = { code: 'KeyM', ctrlKey: true, altKey: true, shiftKey: true, metaKey: false };
    assert.equal(MONITOR_SHORTCUT.matches(base), true);
    assert.equal(MONITOR_SHORTCUT.matches({ ...base, altKey: false }), false);
    assert.equal(MONITOR_SHORTCUT.aria, 'Control+Alt+Shift+M');
  });
});
