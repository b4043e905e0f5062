import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitFrames } from './frames.ts';

function body(bytes: number[]): ArrayBuffer {
  return new Uint8Array(bytes).buffer;
}

describe('splitFrames', () => {
  it('reads frames of several messages and frames of none', () => {
    const frames = splitFrames(body([0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 0, 0, 0, 1, 3, 0, 0, 0, 0]));
    assert.deepEqual(
      frames.map((messages) => messages.map((message) => [...new Uint8Array(message)])),
      [[[1, 2], [3]], []],
    );
  });

  it('refuses a body cut short', () => {
    assert.throws(() => splitFrames(body([0, 0, 0, 1, 0, 0, 0, 5, 1])), /runs past the end/);
    assert.throws(() => splitFrames(body([0, 0, 0, 1, 0, 0])), /runs past the end/);
    assert.throws(() => splitFrames(body([0, 0])), /runs past the end/);
  });
});
