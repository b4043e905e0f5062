// Messages between the session view and its decoding worker.

export type ToDecoder =
  /** The canvas to paint on, transferred once. */
  | { type: 'init'; canvas: OffscreenCanvas }
  /** The remote screen's size (ScreenInfo). */
  | { type: 'resize'; width: number; height: number }
  /** One binary WebSocket message, transferred. */
  | { type: 'frame'; data: ArrayBuffer }
  /** A PNG of the picture once the batches before it are painted (screenshots). */
  | { type: 'snapshot'; id: number };

export type FromDecoder =
  /** Batch `seq` is painted: the view acknowledges it to the server. `whole`: it covered the entire screen. */
  | { type: 'painted'; seq: number; whole: boolean }
  /** A batch announced another screen size; the canvas now has it. */
  | { type: 'size'; width: number; height: number }
  /** A frame could not be decoded; `seq` is set when it is known, to keep flow control going. */
  | { type: 'error'; message: string; seq: number | null }
  /** The answer to snapshot `id`: a PNG, or why there is none. */
  | { type: 'snapshot'; id: number; png: Blob | null; error: string | null }
  /** Video could not be decoded: ask for a key frame, or, when `fatal`, fall back to tiles. */
  | { type: 'video-error'; message: string; seq: number | null; fatal: boolean };
