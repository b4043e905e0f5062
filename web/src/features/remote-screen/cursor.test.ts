import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cssCursor, cursorImageUrl, overlayPosition } from './cursor.ts';

const shape = { width: 16, height: 16, hot_x: 3, hot_y: 4, png: 'iVBORw0KGgo=' };

describe('remote pointer', () => {
  it('uses only plain base64 in data URLs and CSS', () => {
    assert.equal(cursorImageUrl(shape), 'data:image/png;base64,iVBORw0KGgo=');
    assert.equal(cssCursor(shape), 'url("data:image/png;base64,iVBORw0KGgo=") 3 4, default');
    for (const png of ['', 'abc', 'iVBO") , url(https://evil.example/x.png', 'iVBORw0K\nGgo=']) {
      assert.equal(cursorImageUrl({ ...shape, png }), null, png);
      assert.equal(cssCursor({ ...shape, png }), null, png);
    }
  });

  it('leaves pointers larger than browsers draw to the overlay', () => {
    assert.equal(cssCursor({ ...shape, width: 129 }), null);
  });

  it('places the image at the scaled position minus the hotspot', () => {
    const screen = { width: 1920, height: 1080 };
    assert.deepEqual(overlayPosition({ x: 960, y: 540 }, { x: 3, y: 4 }, screen, { left: 10, top: 20, width: 960, height: 540 }), {
      left: 10 + 480 - 3,
      top: 20 + 270 - 4,
    });
    assert.deepEqual(overlayPosition({ x: 0, y: 0 }, { x: 0, y: 0 }, screen, { left: 0, top: 0, width: 1920, height: 1080 }), { left: 0, top: 0 });
  });
});
