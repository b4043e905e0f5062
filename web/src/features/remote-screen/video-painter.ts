// Decodes the session's video frames with WebCodecs in the decoding worker and
// hands each picture to be drawn. Owns the VideoDecoder: it is configured on a
// key frame (after checking isConfigSupported), reset after an error, and a
// stream that fails twice (or a browser that cannot decode it) is reported as
// fatal so the view falls back to tiles.

import { BatchError } from './batch.ts';
import { parseVideoPayload, videoConfig } from './video.ts';

export interface VideoSink {
  /** Draws a decoded picture of a `width`×`height` screen (the callee closes nothing). */
  draw(frame: VideoFrame, width: number, height: number): void;
  /** Frame `seq` is done (drawn, or skipped while waiting for a key frame): acknowledge it. */
  done(seq: number): void;
  /** Decoding failed; `fatal` when video cannot work here (fall back to tiles), else ask for a key frame. */
  failed(message: string, seq: number | null, fatal: boolean): void;
}

/** Errors after which the stream is given up (the first one is retried from a key frame). */
const MAX_ERRORS = 2;

export class VideoPainter {
  #decoder: VideoDecoder | null = null;
  #size = { width: 0, height: 0 };
  #errors = 0;
  readonly #sink: VideoSink;

  constructor(sink: VideoSink) {
    this.#sink = sink;
  }

  /** Decodes one payload (after the bulk header). */
  async decode(payload: Uint8Array<ArrayBuffer>): Promise<void> {
    let seq: number | null = null;
    try {
      const chunk = parseVideoPayload(payload);
      seq = chunk.seq;
      if (chunk.key && (this.#decoder === null || this.#size.width !== chunk.width || this.#size.height !== chunk.height)) {
        await this.#configure(chunk.width, chunk.height);
      }
      if (this.#decoder === null) {
        // A delta frame with no decoder: it cannot be shown, and the key frame asked for is coming.
        this.#sink.done(chunk.seq);
        return;
      }
      this.#decoder.decode(new EncodedVideoChunk({ type: chunk.key ? 'key' : 'delta', timestamp: chunk.seq, data: chunk.data }));
    } catch (error) {
      if (error instanceof BatchError) seq = error.seq;
      this.#fail(error instanceof Error ? error.message : String(error), seq);
    }
  }

  /** Stops decoding (the mode changed or the view closes). */
  close(): void {
    this.#reset();
    this.#errors = 0;
  }

  async #configure(width: number, height: number): Promise<void> {
    this.#reset();
    const config = videoConfig(width, height);
    const support = typeof VideoDecoder === 'undefined' ? null : await VideoDecoder.isConfigSupported(config).catch(() => null);
    if (support?.supported !== true) {
      this.#errors = MAX_ERRORS;
      throw new Error(`this browser cannot decode ${config.codec} video`);
    }
    const decoder = new VideoDecoder({
      output: (frame) => {
        const seq = frame.timestamp;
        try {
          this.#sink.draw(frame, width, height);
        } finally {
          frame.close();
        }
        this.#errors = 0;
        this.#sink.done(seq);
      },
      error: (error) => {
        if (this.#decoder === decoder) this.#fail(error.message, null);
      },
    });
    decoder.configure(config);
    this.#decoder = decoder;
    this.#size = { width, height };
  }

  #fail(message: string, seq: number | null): void {
    this.#reset();
    this.#errors += 1;
    this.#sink.failed(message, seq, this.#errors >= MAX_ERRORS);
  }

  #reset(): void {
    const decoder = this.#decoder;
    this.#decoder = null;
    this.#size = { width: 0, height: 0 };
    if (decoder !== null && decoder.state !== 'closed') decoder.close();
  }
}
