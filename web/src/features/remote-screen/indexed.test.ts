import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchError, indexedPngProblem, parseTilesBatch, TILE_ENCODING_INDEXED } from './batch.ts';
import { isScreenModeShortcut, modeForDigit, SCREEN_MODES } from './screen-mode.ts';

/** The start of a PNG: signature and IHDR (the part the parser checks). */
function pngHeader(width: number, height: number, depth: number, colourType: number, interlace = 0): number[] {
  const u32 = (value: number): number[] => [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
  return [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...u32(13), 0x49, 0x48, 0x44, 0x52, ...u32(width), ...u32(height), depth, colourType, 0, 0, interlace, 0, 0, 0, 0];
}

/** A batch of one INDEXED tile at (0,0) of a 100×100 screen. */
function batchWith(w: number, h: number, data: number[]): Uint8Array<ArrayBuffer> {
  // seq 9, flags 0, 100×100, one tile.
  const bytes = [0, 0, 0, 9, 0, 0, 100, 0, 100, 0, 1, 0, 0, 0, 0, 0, w, 0, h, TILE_ENCODING_INDEXED];
  bytes.push((data.length >>> 24) & 0xff, (data.length >>> 16) & 0xff, (data.length >>> 8) & 0xff, data.length & 0xff, ...data);
  return new Uint8Array(bytes);
}

describe('INDEXED tiles', () => {
  it('accept palette PNGs of the tile size at 1, 2, 4 and 8 bits', () => {
    for (const depth of [1, 2, 4, 8]) {
      const [tile] = parseTilesBatch(batchWith(64, 20, pngHeader(64, 20, depth, 3))).tiles;
      assert.equal(tile?.encoding, TILE_ENCODING_INDEXED);
      assert.deepEqual([tile?.w, tile?.h], [64, 20]);
    }
  });

  it('refuse anything else before the browser decodes it, keeping the seq', () => {
    const cases: [number[], RegExp][] = [
      [pngHeader(64, 21, 1, 3), /is 64×21, not 64×20/],
      [pngHeader(64, 20, 8, 2), /colour type 2 at 8 bits/],
      [pngHeader(64, 20, 16, 3), /colour type 3 at 16 bits/],
      [pngHeader(64, 20, 3, 3), /at 3 bits/],
      [pngHeader(64, 20, 1, 3, 1), /interlaced/],
      [pngHeader(64, 20, 1, 3).slice(0, 20), /is not a PNG/],
      [[0xff, 0xd8, 0xff, ...pngHeader(64, 20, 1, 3)], /is not a PNG/],
    ];
    for (const [data, pattern] of cases) {
      assert.throws(
        () => parseTilesBatch(batchWith(64, 20, data)),
        (error: unknown) => error instanceof BatchError && pattern.test(error.message) && error.seq === 9,
        String(pattern),
      );
    }
    const wrongChunk = pngHeader(64, 20, 1, 3);
    wrongChunk[12] = 0x69;
    assert.match(indexedPngProblem(new Uint8Array(wrongChunk), 64, 20) ?? '', /does not start with its header/);
  });
});

describe('screen mode selector', () => {
  it('lists the modes from the least bandwidth and maps digits to them', () => {
    assert.deepEqual(SCREEN_MODES, ['black_and_white', 'few_colours', 'more_colours', 'all_colours', 'video']);
    assert.equal(modeForDigit('Digit1'), 'black_and_white');
    assert.equal(modeForDigit('Numpad4'), 'all_colours');
    assert.equal(modeForDigit('Digit5'), 'video');
    assert.equal(modeForDigit('Digit6'), null);
    assert.equal(modeForDigit('KeyA'), null);
  });

  it('opens on Ctrl+Alt+Shift+Q only', () => {
    const base = { code: 'KeyQ', ctrlKey: true, altKey: true, shiftKey: true, metaKey: false };
    assert.equal(isScreenModeShortcut(base), true);
    assert.equal(isScreenModeShortcut({ ...base, shiftKey: false }), false);
    assert.equal(isScreenModeShortcut({ ...base, metaKey: true }), false);
    assert.equal(isScreenModeShortcut({ ...base, code: 'KeyE' }), false);
  });
});
