import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TILE_ENCODING_SOLID, type TilesBatch } from './batch.ts';
import { coversScreen, REFRESH_INTERVAL_MS, RefreshGate } from './frame-recovery.ts';

function solid(x: number, y: number, w: number, h: number): TilesBatch['tiles'][number] {
  return { encoding: TILE_ENCODING_SOLID, x, y, w, h, rgb: [0, 0, 0] };
}

describe('RefreshGate', () => {
  it('asks at once for the first bad frame', () => {
    const gate = new RefreshGate();
    assert.equal(gate.badFrame(5000), 0);
  });

  it('asks at most once per interval however many frames go bad', () => {
    const gate = new RefreshGate();
    assert.equal(gate.badFrame(1000), 0);
    gate.sent(1000);
    assert.equal(gate.badFrame(1200), REFRESH_INTERVAL_MS - 200);
    // Already scheduled: the next bad frames add nothing.
    assert.equal(gate.badFrame(1300), null);
    assert.equal(gate.badFrame(1900), null);
    gate.sent(2000);
    assert.equal(gate.badFrame(3500), 0);
  });

  it('starts over after a cancel', () => {
    const gate = new RefreshGate();
    gate.badFrame(0);
    gate.cancel();
    assert.equal(gate.badFrame(10), 0);
  });
});

describe('coversScreen', () => {
  it('is true for a full picture and false for a partial one', () => {
    const full: TilesBatch = { seq: 1, flags: 0, width: 100, height: 70, tiles: [solid(0, 0, 64, 64), solid(64, 0, 36, 64), solid(0, 64, 64, 6), solid(64, 64, 36, 6)] };
    assert.equal(coversScreen(full), true);
    assert.equal(coversScreen({ ...full, tiles: full.tiles.slice(1) }), false);
  });
});
