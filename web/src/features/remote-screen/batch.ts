// Parses the binary frames of a session link: the 5-byte bulk header, then a
// screen tiles batch (all big-endian):
//   seq u32, flags u8, width u16, height u16, tile_count u16,
//   tile_count × { x u16, y u16, w u16, h u16, encoding u8, len u32, data[len] }
// Encodings: 1 PNG, 2 SOLID (r, g, b), 3 COPY (src_x u16, src_y u16: the tile's
// pixels come from there in the picture as it was before this batch), 4 JPEG (up
// to MAX_STRIP_WIDTH wide: a strip of tiles). Flags (SCREEN_FLAG_*) mark full
// pictures: the server uses them to resynchronise a viewer; the worker only checks them.
// Pure functions, no DOM, so they run in the decoding worker and in unit tests.

import { BULK_HEADER_LEN, BULK_KIND_SCREEN_TILES, MAX_STRIP_WIDTH, MAX_TILE_SIDE, SCREEN_FLAGS_ALL } from '../../gen/proto.ts';

export const TILE_ENCODING_PNG = 1;
export const TILE_ENCODING_SOLID = 2;
/** Pixels of the picture as it was before the batch (a scroll, a moved window). */
export const TILE_ENCODING_COPY = 3;
/** A JPEG, for photo-like regions that keep changing (sent again exactly once still). */
export const TILE_ENCODING_JPEG = 4;

export type Tile =
  | { encoding: typeof TILE_ENCODING_PNG; x: number; y: number; w: number; h: number; data: Uint8Array<ArrayBuffer> }
  | { encoding: typeof TILE_ENCODING_JPEG; x: number; y: number; w: number; h: number; data: Uint8Array<ArrayBuffer> }
  | { encoding: typeof TILE_ENCODING_SOLID; x: number; y: number; w: number; h: number; rgb: [number, number, number] }
  | { encoding: typeof TILE_ENCODING_COPY; x: number; y: number; w: number; h: number; srcX: number; srcY: number };

export interface TilesBatch {
  seq: number;
  /** SCREEN_FLAG_* bits. */
  flags: number;
  width: number;
  height: number;
  tiles: Tile[];
}

/** A frame that breaks the format. `seq` is set when the batch header was readable. */
export class BatchError extends Error {
  constructor(
    message: string,
    readonly seq: number | null,
  ) {
    super(message);
    this.name = 'BatchError';
  }
}

const BATCH_HEADER_LEN = 11;
const TILE_HEADER_LEN = 13;

/** Parses one binary WebSocket message carrying a screen tiles batch. */
export function parseScreenFrame(buffer: ArrayBuffer): TilesBatch {
  const bytes = new Uint8Array(buffer);
  if (bytes.length < BULK_HEADER_LEN) {
    throw new BatchError(`frame of ${bytes.length} bytes is shorter than its header`, null);
  }
  const kind = bytes[0];
  if (kind !== BULK_KIND_SCREEN_TILES) throw new BatchError(`unexpected frame kind ${kind}`, null);
  return parseTilesBatch(bytes.subarray(BULK_HEADER_LEN));
}

/** Parses a screen tiles batch (the payload after the bulk header). */
export function parseTilesBatch(payload: Uint8Array<ArrayBuffer>): TilesBatch {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  if (payload.length < BATCH_HEADER_LEN) {
    throw new BatchError(`batch of ${payload.length} bytes is shorter than its header`, null);
  }
  const seq = view.getUint32(0);
  const flags = view.getUint8(4);
  const width = view.getUint16(5);
  const height = view.getUint16(7);
  const count = view.getUint16(9);
  if ((flags & ~SCREEN_FLAGS_ALL) !== 0) throw new BatchError(`unknown batch flags ${flags}`, seq);
  if (width === 0 || height === 0) throw new BatchError(`empty screen ${width}×${height}`, seq);

  const tiles: Tile[] = [];
  let offset = BATCH_HEADER_LEN;
  for (let index = 0; index < count; index += 1) {
    if (offset + TILE_HEADER_LEN > payload.length) {
      throw new BatchError(`tile ${index} header runs past the end of the batch`, seq);
    }
    const x = view.getUint16(offset);
    const y = view.getUint16(offset + 2);
    const w = view.getUint16(offset + 4);
    const h = view.getUint16(offset + 6);
    const encoding = view.getUint8(offset + 8);
    const length = view.getUint32(offset + 9);
    offset += TILE_HEADER_LEN;
    if (length > payload.length - offset) {
      throw new BatchError(`tile ${index} data runs past the end of the batch`, seq);
    }
    // JPEG tiles may be strips of several tiles side by side.
    const maxWidth = encoding === TILE_ENCODING_JPEG ? MAX_STRIP_WIDTH : MAX_TILE_SIDE;
    if (w === 0 || h === 0 || w > maxWidth || h > MAX_TILE_SIDE || x + w > width || y + h > height) {
      throw new BatchError(`tile ${index} (${x},${y} ${w}×${h}) is larger than a tile or lies outside the ${width}×${height} screen`, seq);
    }
    const data = payload.subarray(offset, offset + length);
    offset += length;
    if (encoding === TILE_ENCODING_PNG) {
      tiles.push({ encoding, x, y, w, h, data });
    } else if (encoding === TILE_ENCODING_JPEG) {
      tiles.push({ encoding, x, y, w, h, data });
    } else if (encoding === TILE_ENCODING_SOLID) {
      if (data.length !== 3) throw new BatchError(`solid tile ${index} has ${data.length} bytes, not 3`, seq);
      tiles.push({ encoding, x, y, w, h, rgb: [data[0] ?? 0, data[1] ?? 0, data[2] ?? 0] });
    } else if (encoding === TILE_ENCODING_COPY) {
      if (data.length !== 4) throw new BatchError(`copy tile ${index} has ${data.length} bytes, not 4`, seq);
      const srcX = view.getUint16(offset - 4);
      const srcY = view.getUint16(offset - 2);
      if (srcX + w > width || srcY + h > height) {
        throw new BatchError(`copy tile ${index} reads (${srcX},${srcY} ${w}×${h}) outside the ${width}×${height} screen`, seq);
      }
      tiles.push({ encoding, x, y, w, h, srcX, srcY });
    } else {
      throw new BatchError(`tile ${index} has unknown encoding ${encoding}`, seq);
    }
  }
  if (offset !== payload.length) {
    throw new BatchError(`${payload.length - offset} bytes left after the last tile`, seq);
  }
  return { seq, flags, width, height, tiles };
}

/** The rectangle holding every copy tile's source, or null when the batch has no copies. */
export function copySources(batch: TilesBatch): { x: number; y: number; w: number; h: number } | null {
  let box: { left: number; top: number; right: number; bottom: number } | null = null;
  for (const tile of batch.tiles) {
    if (tile.encoding !== TILE_ENCODING_COPY) continue;
    const right = tile.srcX + tile.w;
    const bottom = tile.srcY + tile.h;
    box =
      box === null
        ? { left: tile.srcX, top: tile.srcY, right, bottom }
        : { left: Math.min(box.left, tile.srcX), top: Math.min(box.top, tile.srcY), right: Math.max(box.right, right), bottom: Math.max(box.bottom, bottom) };
  }
  return box === null ? null : { x: box.left, y: box.top, w: box.right - box.left, h: box.bottom - box.top };
}
