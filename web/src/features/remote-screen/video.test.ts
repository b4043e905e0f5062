import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchError } from './batch.ts';
import { parseVideoPayload, VIDEO_CODEC, VIDEO_KEY_FRAME, videoConfig } from './video.ts';

function payload(seq: number, width: number, height: number, flags: number, data: number[]): Uint8Array<ArrayBuffer> {
  return new Uint8Array([(seq >>> 24) & 0xff, (seq >>> 16) & 0xff, (seq >>> 8) & 0xff, seq & 0xff, flags, width >> 8, width & 0xff, height >> 8, height & 0xff, ...data]);
}

function rejects(bytes: Uint8Array<ArrayBuffer>, pattern: RegExp, seq: number | null): void {
  assert.throws(
    () => parseVideoPayload(bytes),
    (error: unknown) => error instanceof BatchError && pattern.test(error.message) && error.seq === seq,
  );
}

describe('video frames', () => {
  it('read the header and keep the H.264 data', () => {
    const chunk = parseVideoPayload(payload(0x01020304, 1920, 1080, VIDEO_KEY_FRAME, [0, 0, 0, 1, 0x67]));
    assert.deepEqual([chunk.seq, chunk.width, chunk.height, chunk.key], [0x01020304, 1920, 1080, true]);
    assert.deepEqual([...chunk.data], [0, 0, 0, 1, 0x67]);
    assert.equal(parseVideoPayload(payload(2, 10, 10, 0, [9])).key, false);
  });

  it('refuse short, empty or unknown frames, keeping the seq', () => {
    rejects(new Uint8Array([0, 0, 0, 1, 0, 10, 0, 10]), /shorter than its header/, null);
    rejects(payload(3, 10, 10, VIDEO_KEY_FRAME, []), /carries no picture/, 3);
    rejects(payload(4, 10, 10, 1, [1]), /unknown flags 1/, 4);
    rejects(payload(4, 10, 10, 4, [1]), /unknown flags 4/, 4);
    rejects(payload(5, 0, 10, VIDEO_KEY_FRAME, [1]), /empty screen/, 5);
  });

  it('configure the decoder for even sizes of the agent codec', () => {
    assert.deepEqual(videoConfig(1921, 1081), { codec: VIDEO_CODEC, codedWidth: 1922, codedHeight: 1082, optimizeForLatency: true });
  });
});
