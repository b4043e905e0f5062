import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeNext, encodeNext, NEXT_MAX_AGE_MS, safeNext } from './next.ts';

describe('safeNext', () => {
  it('keeps console paths and turns anything else into the device list', () => {
    assert.equal(safeNext('/portal?key=123456789'), '/portal?key=123456789');
    assert.equal(safeNext('/users'), '/users');
    assert.equal(safeNext(null), '/devices');
    assert.equal(safeNext('https://evil.example/'), '/devices');
    assert.equal(safeNext('//evil.example/'), '/devices');
    assert.equal(safeNext('/login?next=/users'), '/devices');
  });
});

describe('a destination kept across single sign-on', () => {
  it('comes back as it was kept while fresh', () => {
    const kept = encodeNext('/portal?key=123456789', 1_000);
    assert.notEqual(kept, null);
    assert.equal(decodeNext(kept, 1_000 + NEXT_MAX_AGE_MS), '/portal?key=123456789');
  });

  it('is not kept when there is nothing or nothing safe to keep', () => {
    assert.equal(encodeNext(null, 0), null);
    assert.equal(encodeNext('https://evil.example/', 0), null);
    assert.equal(encodeNext('/login', 0), null);
  });

  it('is dropped when stale, from the future, malformed or unsafe', () => {
    const kept = encodeNext('/portal', 1_000);
    assert.equal(decodeNext(kept, 1_001 + NEXT_MAX_AGE_MS), null);
    assert.equal(decodeNext(kept, 999), null);
    assert.equal(decodeNext(null, 0), null);
    assert.equal(decodeNext('not json', 0), null);
    assert.equal(decodeNext('null', 0), null);
    assert.equal(decodeNext(JSON.stringify({ next: 42, at: 0 }), 0), null);
    assert.equal(decodeNext(JSON.stringify({ next: '//evil.example', at: 0 }), 0), null);
  });
});
