// What the console does when a screen batch cannot be shown (corrupt or cut
// short in transit): the batch is dropped whole by the worker, and a full
// refresh is asked for at most once per REFRESH_INTERVAL_MS, so a stream of
// bad frames cannot make a refresh storm. The picture is whole again once a
// batch that covers the entire screen is painted. Pure, with the clock passed in.

import type { TilesBatch } from './batch.ts';

/** The least time between two automatic refresh requests. */
export const REFRESH_INTERVAL_MS = 1000;

/** Whether a batch's tiles cover every pixel of the screen (a full picture). */
export function coversScreen(batch: TilesBatch): boolean {
  // Tiles of one batch lie in distinct cells and never overlap, so areas add up.
  let area = 0;
  for (const tile of batch.tiles) area += tile.w * tile.h;
  return area >= batch.width * batch.height;
}

/** Decides when to ask for a refresh after bad frames. */
export class RefreshGate {
  #last = Number.NEGATIVE_INFINITY;
  #scheduled: number | null = null;

  /**
   * A frame was dropped at `now`: returns how long to wait before sending a
   * refresh (0: send it now), or null when one is already scheduled.
   */
  badFrame(now: number): number | null {
    if (this.#scheduled !== null) return null;
    const wait = Math.max(0, this.#last + REFRESH_INTERVAL_MS - now);
    this.#scheduled = now + wait;
    return wait;
  }

  /** The scheduled refresh was sent at `now`. */
  sent(now: number): void {
    this.#last = now;
    this.#scheduled = null;
  }

  /** Forget a scheduled refresh (the view went away). */
  cancel(): void {
    this.#scheduled = null;
  }
}
