import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchError, copySources, parseScreenFrame, TILE_ENCODING_COPY, TILE_ENCODING_JPEG, TILE_ENCODING_PNG, TILE_ENCODING_SOLID } from './batch.ts';
import { SCREEN_FLAG_KEY_END, SCREEN_FLAG_KEY_START, SCREEN_FLAG_REPLAY } from '../../gen/proto.ts';

interface TileSpec {
  x: number;
  y: number;
  w: number;
  h: number;
  encoding: number;
  data: number[];
}

/** Encodes a frame the way the agent does (big-endian throughout). */
function frame(seq: number, width: number, height: number, tiles: TileSpec[], options: { kind?: number; extra?: number[]; flags?: number } = {}): ArrayBuffer {
  const bytes: number[] = [options.kind ?? 1, 0, 0, 0, 7];
  const u16 = (value: number): void => {
    bytes.push((value >> 8) & 0xff, value & 0xff);
  };
  const u32 = (value: number): void => {
    bytes.push((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
  };
  u32(seq);
  bytes.push(options.flags ?? 0);
  u16(width);
  u16(height);
  u16(tiles.length);
  for (const tile of tiles) {
    u16(tile.x);
    u16(tile.y);
    u16(tile.w);
    u16(tile.h);
    bytes.push(tile.encoding);
    u32(tile.data.length);
    bytes.push(...tile.data);
  }
  bytes.push(...(options.extra ?? []));
  return new Uint8Array(bytes).buffer;
}

function rejects(buffer: ArrayBuffer, pattern: RegExp, seq: number | null): void {
  assert.throws(
    () => parseScreenFrame(buffer),
    (error: unknown) => error instanceof BatchError && pattern.test(error.message) && error.seq === seq,
  );
}

describe('parseScreenFrame', () => {
  it('reads solid and PNG tiles', () => {
    const batch = parseScreenFrame(
      frame(0x01020304, 1280, 800, [
        { x: 0, y: 0, w: 64, h: 64, encoding: TILE_ENCODING_SOLID, data: [255, 128, 0] },
        { x: 1216, y: 736, w: 64, h: 64, encoding: TILE_ENCODING_PNG, data: [0x89, 0x50, 0x4e, 0x47] },
      ]),
    );
    assert.equal(batch.seq, 0x01020304);
    assert.equal(batch.flags, 0);
    assert.equal(batch.width, 1280);
    assert.equal(batch.height, 800);
    assert.equal(batch.tiles.length, 2);
    const [solid, png] = batch.tiles;
    assert.deepEqual(solid, { encoding: TILE_ENCODING_SOLID, x: 0, y: 0, w: 64, h: 64, rgb: [255, 128, 0] });
    assert.equal(png?.encoding, TILE_ENCODING_PNG);
    assert.deepEqual(png?.encoding === TILE_ENCODING_PNG ? [...png.data] : null, [0x89, 0x50, 0x4e, 0x47]);
    assert.deepEqual([png?.x, png?.y, png?.w, png?.h], [1216, 736, 64, 64]);
  });

  it('reads copy tiles and the box their sources span', () => {
    const batch = parseScreenFrame(
      frame(3, 256, 256, [
        { x: 0, y: 0, w: 64, h: 64, encoding: TILE_ENCODING_COPY, data: [0, 0, 0, 24] },
        { x: 64, y: 64, w: 64, h: 32, encoding: TILE_ENCODING_COPY, data: [0, 64, 0, 88] },
      ]),
    );
    assert.deepEqual(batch.tiles[0], { encoding: TILE_ENCODING_COPY, x: 0, y: 0, w: 64, h: 64, srcX: 0, srcY: 24 });
    assert.deepEqual(copySources(batch), { x: 0, y: 24, w: 128, h: 96 });
    assert.equal(copySources(parseScreenFrame(frame(4, 10, 10, []))), null);
    rejects(frame(5, 100, 100, [{ x: 0, y: 0, w: 64, h: 64, encoding: TILE_ENCODING_COPY, data: [0, 0, 0, 50] }]), /outside/, 5);
    rejects(frame(5, 100, 100, [{ x: 0, y: 0, w: 10, h: 10, encoding: TILE_ENCODING_COPY, data: [0, 0] }]), /has 2 bytes, not 4/, 5);
  });

  it('reads JPEG tiles like PNG ones', () => {
    const [jpeg] = parseScreenFrame(frame(8, 100, 100, [{ x: 0, y: 0, w: 64, h: 64, encoding: TILE_ENCODING_JPEG, data: [0xff, 0xd8, 0xff] }])).tiles;
    assert.equal(jpeg?.encoding, TILE_ENCODING_JPEG);
    assert.deepEqual(jpeg?.encoding === TILE_ENCODING_JPEG ? [...jpeg.data] : null, [0xff, 0xd8, 0xff]);
    // A JPEG strip may be 1024 wide; nothing else may be wider than 64.
    assert.equal(parseScreenFrame(frame(8, 1920, 100, [{ x: 0, y: 0, w: 1024, h: 64, encoding: TILE_ENCODING_JPEG, data: [1] }])).tiles[0]?.w, 1024);
    rejects(frame(8, 1920, 100, [{ x: 0, y: 0, w: 1025, h: 64, encoding: TILE_ENCODING_JPEG, data: [1] }]), /outside/, 8);
    rejects(frame(8, 1920, 100, [{ x: 0, y: 0, w: 128, h: 64, encoding: TILE_ENCODING_PNG, data: [1] }]), /outside/, 8);
  });

  it('reads the full-picture flags and refuses unknown ones', () => {
    const flags = SCREEN_FLAG_REPLAY | SCREEN_FLAG_KEY_START | SCREEN_FLAG_KEY_END;
    assert.equal(parseScreenFrame(frame(3, 10, 10, [], { flags })).flags, flags);
    rejects(frame(3, 10, 10, [], { flags: 0x80 }), /unknown batch flags/, 3);
  });

  it('accepts an empty batch', () => {
    assert.deepEqual(parseScreenFrame(frame(9, 10, 10, [])).tiles, []);
  });

  it('rejects frames of another kind or too short', () => {
    rejects(new Uint8Array([1, 0, 0]).buffer, /shorter than its header/, null);
    rejects(frame(1, 10, 10, [], { kind: 9 }), /unexpected frame kind 9/, null);
    rejects(new Uint8Array([1, 0, 0, 0, 0, 0, 0]).buffer, /batch of 2 bytes/, null);
  });

  it('rejects unknown encodings and bad tiles, keeping the seq', () => {
    rejects(frame(5, 100, 100, [{ x: 0, y: 0, w: 10, h: 10, encoding: 7, data: [1] }]), /unknown encoding 7/, 5);
    rejects(frame(5, 100, 100, [{ x: 95, y: 0, w: 10, h: 10, encoding: 2, data: [1, 2, 3] }]), /outside/, 5);
    rejects(frame(5, 100, 100, [{ x: 0, y: 0, w: 65, h: 10, encoding: 2, data: [1, 2, 3] }]), /outside/, 5);
    rejects(frame(5, 100, 100, [{ x: 0, y: 0, w: 10, h: 10, encoding: 2, data: [1, 2] }]), /has 2 bytes/, 5);
    rejects(frame(5, 100, 100, [], { extra: [0] }), /left after the last tile/, 5);
  });

  it('rejects tiles that run past the end', () => {
    const whole = new Uint8Array(frame(6, 100, 100, [{ x: 0, y: 0, w: 10, h: 10, encoding: 1, data: [1, 2, 3, 4] }]));
    rejects(whole.slice(0, whole.length - 1).buffer, /data runs past the end/, 6);
    rejects(whole.slice(0, 21).buffer, /header runs past the end/, 6);
  });
});
