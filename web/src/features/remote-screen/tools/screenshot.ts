// Screenshots of the remote screen: the file name, and saving a PNG blob as a
// download. The pixels come from the decoding worker (OffscreenCanvas
// convertToBlob), never from the page, so they are exactly what was painted.

/** `reach-<device>-<yyyymmdd-hhmmss>.png` in local time; the device name made file-safe. */
export function screenshotName(device: string, at: Date): string {
  const safe = device.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'device';
  const two = (n: number): string => String(n).padStart(2, '0');
  const date = `${at.getFullYear()}${two(at.getMonth() + 1)}${two(at.getDate())}`;
  const time = `${two(at.getHours())}${two(at.getMinutes())}${two(at.getSeconds())}`;
  return `reach-${safe}-${date}-${time}.png`;
}

/** Offers `blob` as a download named `name`. */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The download has read the URL by the next task; revoking at once can cancel it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Snapshot requests sent to the decoding worker, answered by id. */
export class SnapshotRequests {
  #next = 1;
  readonly #pending = new Map<number, { resolve(png: Blob): void; reject(error: Error): void }>();

  /** Asks `post` (the worker) for a PNG of the picture. */
  request(post: (id: number) => void): Promise<Blob> {
    const id = this.#next;
    this.#next += 1;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      post(id);
    });
  }

  /** The worker's answer to request `id`. */
  settle(id: number, png: Blob | null, error: string | null): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    if (png !== null) pending.resolve(png);
    else pending.reject(new Error(error ?? 'no picture'));
  }

  /** The worker is gone: every open request fails. */
  failAll(reason: string): void {
    for (const pending of this.#pending.values()) pending.reject(new Error(reason));
    this.#pending.clear();
  }
}
