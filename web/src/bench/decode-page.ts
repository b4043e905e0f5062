// The page `reach bench screen` opens in Chromium to time the console's screen
// decoding. It runs the console's real decoding worker (decoder.worker.ts, with
// its tile painter and WebCodecs video painter) on an OffscreenCanvas, feeds it
// the bytes Reach's encoder produced for each corpus frame, and times each frame
// from handing its messages to the worker until the worker reports the last one
// painted: the moment the console acknowledges a batch to the server. Frames are
// fed one at a time, so the times are per-frame latencies, not throughput. The
// bench serves the page cross-origin isolated, so performance.now() has 5 µs
// resolution instead of 100 µs.
//
// Protocol with the bench (loopback HTTP, same origin; see bins/reach/src/bench/browser.rs):
//   GET  /plan           -> { jobs: [{ id, workload, approach, video, width, height }] }
//   GET  /frames/{id}    -> per frame: u32 message count, then per message u32 length + bytes
//                           (a whole session-link binary message, bulk header included)
//   POST /snapshot/{id}  <- a PNG of the canvas after the last frame (the bench checks the picture)
//   POST /results        <- { results: [{ id, frameMs, error, unsupported }], error }

import type { FromDecoder, ToDecoder } from '../features/remote-screen/worker-protocol.ts';
import { videoSupported } from '../features/remote-screen/video.ts';
import { splitFrames } from './frames.ts';

interface Job {
  id: number;
  workload: string;
  approach: string;
  video: boolean;
  width: number;
  height: number;
}

interface JobResult {
  id: number;
  /** Decode + paint time of each frame that carried data, in ms. */
  frameMs: number[];
  error: string | null;
  unsupported: string | null;
}

/** How long one frame may take before the job is given up (a stuck decoder). */
const FRAME_TIMEOUT_MS = 20_000;

/** The console's decoding worker on a fresh canvas, answering one message at a time. */
class Decoder {
  readonly #worker: Worker;
  readonly #canvas: HTMLCanvasElement;
  #waiting: ((message: FromDecoder) => void) | null = null;
  #problem: string | null = null;

  constructor(width: number, height: number) {
    this.#canvas = document.createElement('canvas');
    this.#canvas.width = width;
    this.#canvas.height = height;
    document.body.append(this.#canvas);
    // The same construction as the session view's, so Vite bundles the same worker.
    this.#worker = new Worker(new URL('../features/remote-screen/decoder.worker.ts', import.meta.url), { type: 'module', name: 'reach-screen-decoder' });
    this.#worker.onmessage = (event: MessageEvent<FromDecoder>) => this.#waiting?.(event.data);
    this.#worker.onerror = (event) => {
      this.#problem = `the decoding worker failed: ${event.message}`;
    };
    const offscreen = this.#canvas.transferControlToOffscreen();
    this.#send({ type: 'init', canvas: offscreen }, [offscreen]);
  }

  #send(message: ToDecoder, transfer: Transferable[]): void {
    this.#worker.postMessage(message, transfer);
  }

  /** Hands over one frame's messages; resolves once each is painted (or rejects on the first error). */
  async paint(messages: ArrayBuffer[]): Promise<void> {
    let answered = 0;
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(this.#problem ?? `no answer from the worker within ${FRAME_TIMEOUT_MS} ms`)), FRAME_TIMEOUT_MS);
      this.#waiting = (message) => {
        if (message.type === 'error' || message.type === 'video-error') {
          clearTimeout(timer);
          reject(new Error(message.message));
        } else if (message.type === 'painted') {
          answered += 1;
          if (answered === messages.length) {
            clearTimeout(timer);
            resolve();
          }
        }
      };
    });
    for (const data of messages) this.#send({ type: 'frame', data }, [data]);
    await done;
  }

  /** Resolves once the worker runs (its script loaded): the first frame's time must not include that. */
  async ready(): Promise<void> {
    await this.#ask();
  }

  /** A PNG of the picture, taken by the worker after what it has painted. */
  async snapshot(): Promise<Blob> {
    const message = await this.#ask();
    if (message.type !== 'snapshot' || message.png === null) throw new Error(`no snapshot: ${message.type === 'snapshot' ? message.error : message.type}`);
    return message.png;
  }

  /** A snapshot request: the worker answers it in turn with what it was sent before. */
  async #ask(): Promise<FromDecoder> {
    const answer = new Promise<FromDecoder>((resolve) => (this.#waiting = resolve));
    this.#send({ type: 'snapshot', id: 1 }, []);
    return answer;
  }

  close(): void {
    this.#worker.terminate();
    this.#canvas.remove();
  }
}

async function runJob(job: Job): Promise<JobResult> {
  const result: JobResult = { id: job.id, frameMs: [], error: null, unsupported: null };
  if (job.video && !(await videoSupported(job.width, job.height))) {
    result.unsupported = `VideoDecoder.isConfigSupported says no to H.264 at ${job.width}×${job.height}`;
    return result;
  }
  const response = await fetch(`/frames/${job.id}`);
  if (!response.ok) throw new Error(`GET /frames/${job.id}: ${response.status}`);
  const frames = splitFrames(await response.arrayBuffer());
  const decoder = new Decoder(job.width, job.height);
  try {
    await decoder.ready();
    for (const messages of frames) {
      // An unchanged frame sends nothing: there is nothing to decode.
      if (messages.length === 0) continue;
      const started = performance.now();
      await decoder.paint(messages);
      result.frameMs.push(performance.now() - started);
    }
    const png = await decoder.snapshot();
    const posted = await fetch(`/snapshot/${job.id}`, { method: 'POST', body: png });
    if (!posted.ok) throw new Error(`POST /snapshot/${job.id}: ${posted.status}`);
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    decoder.close();
  }
  return result;
}

async function main(): Promise<void> {
  const results: JobResult[] = [];
  let failure: string | null = null;
  try {
    const response = await fetch('/plan');
    if (!response.ok) throw new Error(`GET /plan: ${response.status}`);
    const plan = (await response.json()) as { jobs: Job[] };
    for (const job of plan.jobs) results.push(await runJob(job));
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  }
  await fetch('/results', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ results, error: failure }) });
}

void main();
