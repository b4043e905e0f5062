// Decodes screen tiles batches and paints them on the session's OffscreenCanvas,
// off the main thread. Batches are painted strictly in arrival order; after each
// one the worker reports its seq so the view can acknowledge it (flow control).
// A batch is painted whole or not at all: it is parsed and every image decoded
// before the canvas is touched, so a corrupt or truncated one leaves the picture
// as it was (the view then asks for a refresh). Screenshots are taken here too,
// in turn with the batches.

import { BatchError, copySources, parseScreenFrame, TILE_ENCODING_COPY, TILE_ENCODING_JPEG, TILE_ENCODING_PNG, type TilesBatch } from './batch.ts';
import { SCREEN_FLAG_KEY_END } from '../../gen/proto.ts';
import { coversScreen } from './frame-recovery.ts';
import type { FromDecoder, ToDecoder } from './worker-protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

let canvas: OffscreenCanvas | null = null;
let context: OffscreenCanvasRenderingContext2D | null = null;
let queue: Promise<void> = Promise.resolve();

function post(message: FromDecoder): void {
  self.postMessage(message);
}

function resize(width: number, height: number): void {
  if (canvas === null || (canvas.width === width && canvas.height === height)) return;
  canvas.width = width;
  canvas.height = height;
}

async function paint(batch: TilesBatch): Promise<void> {
  if (canvas === null || context === null) return;
  const resized = canvas.width !== batch.width || canvas.height !== batch.height;
  // Copies read the picture as it was before this batch: snapshot the part they read.
  const sources = resized ? null : copySources(batch);
  const before = sources === null ? null : await createImageBitmap(canvas, sources.x, sources.y, sources.w, sources.h);
  let images: (ImageBitmap | null)[];
  try {
    images = await Promise.all(
      batch.tiles.map((tile) =>
        tile.encoding === TILE_ENCODING_PNG || tile.encoding === TILE_ENCODING_JPEG
          ? createImageBitmap(new Blob([tile.data], { type: tile.encoding === TILE_ENCODING_PNG ? 'image/png' : 'image/jpeg' }))
          : null,
      ),
    );
  } catch (error) {
    before?.close();
    throw error;
  }
  if (resized) {
    resize(batch.width, batch.height);
    post({ type: 'size', width: batch.width, height: batch.height });
  }
  try {
    for (const [index, tile] of batch.tiles.entries()) {
      const image = images[index];
      if (tile.encoding === TILE_ENCODING_PNG || tile.encoding === TILE_ENCODING_JPEG) {
        if (image) context.drawImage(image, tile.x, tile.y, tile.w, tile.h);
      } else if (tile.encoding === TILE_ENCODING_COPY) {
        if (before !== null && sources !== null) {
          context.drawImage(before, tile.srcX - sources.x, tile.srcY - sources.y, tile.w, tile.h, tile.x, tile.y, tile.w, tile.h);
        }
      } else {
        const [r, g, b] = tile.rgb;
        context.fillStyle = `rgb(${r} ${g} ${b})`;
        context.fillRect(tile.x, tile.y, tile.w, tile.h);
      }
    }
  } finally {
    for (const image of images) image?.close();
    before?.close();
  }
}

async function snapshot(id: number): Promise<void> {
  if (canvas === null || canvas.width === 0 || canvas.height === 0) {
    post({ type: 'snapshot', id, png: null, error: 'nothing painted yet' });
    return;
  }
  try {
    post({ type: 'snapshot', id, png: await canvas.convertToBlob({ type: 'image/png' }), error: null });
  } catch (error) {
    post({ type: 'snapshot', id, png: null, error: error instanceof Error ? error.message : String(error) });
  }
}

async function handleFrame(data: ArrayBuffer): Promise<void> {
  let seq: number | null = null;
  try {
    const batch = parseScreenFrame(data);
    seq = batch.seq;
    await paint(batch);
    // Whole: this batch covers the screen, or ends a full picture sent in parts.
    post({ type: 'painted', seq: batch.seq, whole: coversScreen(batch) || (batch.flags & SCREEN_FLAG_KEY_END) !== 0 });
  } catch (error) {
    if (error instanceof BatchError) seq = error.seq;
    const message = error instanceof Error ? error.message : String(error);
    post({ type: 'error', message, seq });
  }
}

self.onmessage = (event: MessageEvent<ToDecoder>) => {
  const message = event.data;
  switch (message.type) {
    case 'init':
      canvas = message.canvas;
      context = canvas.getContext('2d', { alpha: false });
      break;
    case 'resize':
      queue = queue.then(() => resize(message.width, message.height));
      break;
    case 'frame':
      queue = queue.then(() => handleFrame(message.data));
      break;
    case 'snapshot':
      // Queued behind the batches already received, so it shows a whole one.
      queue = queue.then(() => snapshot(message.id));
      break;
  }
};
