import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandWords, formatCountdown, groupKey, isCompleteKey, keyDigits, portalPath, reformatKeyInput, secondsLeft } from './keys.ts';

describe('keyDigits', () => {
  it('keeps the digits of what was typed or pasted, at most nine', () => {
    assert.equal(keyDigits('123 456 789'), '123456789');
    assert.equal(keyDigits(' 123-456-789 '), '123456789');
    assert.equal(keyDigits('1234567890'), '123456789');
    assert.equal(keyDigits('12a3'), '123');
    assert.equal(keyDigits(''), '');
  });
});

describe('isCompleteKey', () => {
  it('accepts nine digits with spaces and dashes anywhere', () => {
    assert.equal(isCompleteKey('123456789'), true);
    assert.equal(isCompleteKey('123 456 789'), true);
    assert.equal(isCompleteKey(' 123-456 - 789 '), true);
  });

  it('refuses too few or too many digits, and anything but spaces and dashes between them', () => {
    assert.equal(isCompleteKey('12345678'), false);
    assert.equal(isCompleteKey('1234567890'), false);
    assert.equal(isCompleteKey('123.456.789'), false);
    assert.equal(isCompleteKey('123 456 78x9'), false);
    assert.equal(isCompleteKey(''), false);
  });
});

describe('groupKey', () => {
  it('groups digits by three from the left', () => {
    assert.equal(groupKey('123456789'), '123 456 789');
    assert.equal(groupKey('1234'), '123 4');
    assert.equal(groupKey('12'), '12');
    assert.equal(groupKey(''), '');
  });
});

describe('reformatKeyInput', () => {
  it('groups what is typed and keeps the caret after the same digits', () => {
    assert.deepEqual(reformatKeyInput('1234', 4), { value: '123 4', caret: 5 });
    assert.deepEqual(reformatKeyInput('123 4567', 8), { value: '123 456 7', caret: 9 });
    // A digit typed in the middle: the caret stays right after it.
    assert.deepEqual(reformatKeyInput('1293 456', 3), { value: '129 345 6', caret: 3 });
    assert.deepEqual(reformatKeyInput('123 9456', 5), { value: '123 945 6', caret: 5 });
  });

  it('drops what is not a digit, and handles a caret at the start', () => {
    assert.deepEqual(reformatKeyInput('12x', 3), { value: '12', caret: 2 });
    assert.deepEqual(reformatKeyInput('123-456-789', 11), { value: '123 456 789', caret: 11 });
    assert.deepEqual(reformatKeyInput('123 456', 0), { value: '123 456', caret: 0 });
    assert.deepEqual(reformatKeyInput('', 0), { value: '', caret: 0 });
  });
});

describe('countdowns', () => {
  it('round what is left up to whole seconds and never go below zero', () => {
    assert.equal(secondsLeft(10_000, 0), 10);
    assert.equal(secondsLeft(10_000, 9_001), 1);
    assert.equal(secondsLeft(10_000, 10_000), 0);
    assert.equal(secondsLeft(10_000, 20_000), 0);
  });

  it('read like a clock', () => {
    assert.equal(formatCountdown(15 * 60), '15:00');
    assert.equal(formatCountdown(14 * 60 + 59), '14:59');
    assert.equal(formatCountdown(5), '0:05');
    assert.equal(formatCountdown(0), '0:00');
    assert.equal(formatCountdown(-3), '0:00');
    assert.equal(formatCountdown(3723), '1:02:03');
  });
});

describe('portalPath', () => {
  it('carries the key in the address', () => {
    assert.equal(portalPath('123456789'), '/portal?key=123456789');
    assert.equal(portalPath(''), '/portal');
  });
});

describe('commandWords', () => {
  it('splits the join command into its words', () => {
    assert.deepEqual(commandWords(' reach agent join --server https://h:1 --fingerprint ab --key 123456789\n'), [
      'reach',
      'agent',
      'join',
      '--server',
      'https://h:1',
      '--fingerprint',
      'ab',
      '--key',
      '123456789',
    ]);
  });
});
