// The remote pointer. The agent sends the pointer's image and position apart
// from the screen (moving it costs no screen bytes); this draws it:
// - while the technician's own mouse is over the screen and they control it, as
//   the CSS cursor of the canvas, so it follows their hand with no round trip;
// - otherwise (view-only viewers, the end user moving the mouse, the technician's
//   mouse elsewhere) as an image over the canvas at the remote position.

import type { CursorShape } from '../../gen/proto.ts';
import type { Size } from './input.ts';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Chromium ignores CSS cursor images larger than this. */
const MAX_CSS_CURSOR = 128;

/** A `data:` URL for the shape's PNG, or null when the data is not plain base64. */
export function cursorImageUrl(shape: CursorShape): string | null {
  if (shape.png.length === 0 || shape.png.length % 4 !== 0 || !BASE64.test(shape.png)) return null;
  return `data:image/png;base64,${shape.png}`;
}

/** The CSS cursor value showing `shape` with its hotspot, or null when it cannot. */
export function cssCursor(shape: CursorShape): string | null {
  const url = cursorImageUrl(shape);
  if (url === null || shape.width > MAX_CSS_CURSOR || shape.height > MAX_CSS_CURSOR) return null;
  return `url("${url}") ${shape.hot_x} ${shape.hot_y}, default`;
}

/**
 * Where the pointer image's top left goes, in the viewport's coordinates: the
 * remote position scaled like the canvas, minus the hotspot (the image keeps its
 * real size, as a local pointer does).
 */
export function overlayPosition(
  at: { x: number; y: number },
  hot: { x: number; y: number },
  screen: Size,
  canvas: { left: number; top: number; width: number; height: number },
): { left: number; top: number } {
  const scaleX = canvas.width / screen.width;
  const scaleY = canvas.height / screen.height;
  return { left: Math.round(canvas.left + at.x * scaleX - hot.x), top: Math.round(canvas.top + at.y * scaleY - hot.y) };
}

/** Draws the remote pointer over one session's canvas. */
export class RemoteCursor {
  private readonly image: HTMLImageElement;
  private shape: CursorShape | null = null;
  private position: { x: number; y: number } | null = null;
  private screen: Size | null = null;
  private hovered = false;
  private controlling = false;

  constructor(
    private readonly viewport: HTMLElement,
    private readonly canvas: HTMLCanvasElement,
  ) {
    this.image = document.createElement('img');
    this.image.className = 'remote-cursor';
    this.image.alt = '';
    this.image.hidden = true;
    this.image.dataset['testid'] = 'remote-cursor';
    viewport.append(this.image);
    canvas.addEventListener('pointerenter', this.onEnter);
    canvas.addEventListener('pointerleave', this.onLeave);
  }

  private readonly onEnter = (): void => {
    this.hovered = true;
    this.render();
  };

  private readonly onLeave = (): void => {
    this.hovered = false;
    this.render();
  };

  setShape(shape: CursorShape): void {
    const url = cursorImageUrl(shape);
    if (url === null) return;
    this.shape = shape;
    this.image.src = url;
    this.image.width = shape.width;
    this.image.height = shape.height;
    this.render();
  }

  moveTo(x: number, y: number): void {
    this.position = { x, y };
    this.render();
  }

  /** The pointer is on a monitor that is not shown: no overlay until it moves back. */
  offScreen(): void {
    this.position = null;
    this.render();
  }

  /** The remote screen size and whether this console controls the device. */
  configure(screen: Size | null, controlling: boolean): void {
    this.screen = screen;
    this.controlling = controlling;
    this.render();
  }

  /** Recomputes the overlay's place (the canvas was resized or scrolled). */
  render(): void {
    const local = this.controlling && this.hovered;
    const css = local && this.shape !== null ? cssCursor(this.shape) : null;
    this.canvas.style.cursor = css ?? '';
    const shape = this.shape;
    if (shape === null || this.position === null || this.screen === null || (local && css !== null)) {
      this.image.hidden = true;
      return;
    }
    const place = overlayPosition(this.position, { x: shape.hot_x, y: shape.hot_y }, this.screen, {
      left: this.canvas.offsetLeft,
      top: this.canvas.offsetTop,
      width: this.canvas.clientWidth,
      height: this.canvas.clientHeight,
    });
    this.image.style.transform = `translate(${place.left}px, ${place.top}px)`;
    this.image.hidden = false;
  }

  dispose(): void {
    this.canvas.removeEventListener('pointerenter', this.onEnter);
    this.canvas.removeEventListener('pointerleave', this.onLeave);
    this.canvas.style.cursor = '';
    this.image.remove();
  }
}
