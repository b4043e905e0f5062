import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_CLIPBOARD_JSON } from '../../gen/proto.ts';
import { clipboardFits, clipboardJsonLength, initialDeviceTools, receive, requestBlock, requestSend, toolShortcut } from './device-tools.ts';

const key = (code: string, mods: Partial<{ ctrlKey: boolean; altKey: boolean; shiftKey: boolean; metaKey: boolean }> = {}) => ({
  code,
  ctrlKey: true,
  altKey: true,
  shiftKey: true,
  metaKey: false,
  ...mods,
});

describe('toolShortcut', () => {
  it('takes Ctrl+Alt+Shift+V and B by physical key', () => {
    assert.equal(toolShortcut(key('KeyV')), 'clipboard');
    assert.equal(toolShortcut(key('KeyB')), 'block');
  });

  it('leaves every other combination to the device', () => {
    assert.equal(toolShortcut(key('KeyV', { shiftKey: false })), null);
    assert.equal(toolShortcut(key('KeyB', { metaKey: true })), null);
    assert.equal(toolShortcut(key('KeyE')), null);
  });
});

describe('clipboard size', () => {
  it('counts like serde_json: escapes and UTF-8 bytes', () => {
    assert.equal(clipboardJsonLength(''), 2);
    assert.equal(clipboardJsonLength('a"b\\c\n'), 2 + 1 + 2 + 1 + 2 + 1 + 2);
    assert.equal(clipboardJsonLength('\u0001'), 2 + 6);
    assert.equal(clipboardJsonLength('é漢🎉'), 2 + 2 + 3 + 4);
  });

  it('allows exactly the limit', () => {
    assert.equal(clipboardFits('a'.repeat(MAX_CLIPBOARD_JSON - 2)), true);
    assert.equal(clipboardFits('a'.repeat(MAX_CLIPBOARD_JSON - 1)), false);
  });
});

describe('device tools state', () => {
  it('refuses empty and oversized text without sending', () => {
    assert.deepEqual(requestSend(initialDeviceTools, '').send, false);
    const big = requestSend(initialDeviceTools, 'x'.repeat(MAX_CLIPBOARD_JSON));
    assert.equal(big.send, false);
    assert.deepEqual(big.state.send, { kind: 'too_large', bytes: MAX_CLIPBOARD_JSON + 2 });
  });

  it('follows a send to the device applying it', () => {
    const { state, send } = requestSend(initialDeviceTools, 'héllo');
    assert.equal(send, true);
    assert.deepEqual(state.send, { kind: 'sending', characters: 5 });
    const applied = receive(state, { type: 'clipboard', event: { kind: 'applied' } });
    assert.deepEqual(applied.send, { kind: 'applied', characters: 5 });
  });

  it('keeps what the device copied, counting each copy', () => {
    const once = receive(initialDeviceTools, { type: 'clipboard', event: { kind: 'device_text', text: 'x' } });
    const twice = receive(once, { type: 'clipboard', event: { kind: 'device_text', text: 'x' } });
    assert.deepEqual(twice.device, { kind: 'device_text', text: 'x' });
    assert.equal(twice.deviceSeq, 2);
  });

  it('toggles the block and reports the agent state and refusals', () => {
    const asked = requestBlock(initialDeviceTools);
    assert.equal(asked.blocked, true);
    assert.equal(asked.state.block.pending, true);
    const blocked = receive(asked.state, { type: 'input_block', state: 'blocked' });
    assert.deepEqual(blocked.block, { state: 'blocked', pending: false, refused: null });
    assert.equal(requestBlock(blocked).blocked, false);
    const refused = receive(requestBlock(blocked).state, { type: 'refused', code: 'forbidden', message: 'no' });
    assert.deepEqual(refused.block, { state: 'blocked', pending: false, refused: 'forbidden' });
    const taken = receive(blocked, { type: 'input_block', state: 'taken_back' });
    assert.equal(requestBlock(taken).blocked, true);
  });
});
