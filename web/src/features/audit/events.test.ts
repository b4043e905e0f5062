import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEventView } from '../../gen/proto.ts';
import { filterEvents, isWarning, leavesGap, mergeEvents } from './events.ts';

function entry(id: number, fields: Partial<AuditEventView> = {}): AuditEventView {
  return {
    id,
    code: 'R1000I',
    at: 1_700_000_000_000 + id,
    actor_kind: 'user',
    actor_id: 'u1',
    actor_name: 'Alice',
    ip: '192.0.2.1',
    target_kind: null,
    target_id: null,
    target_name: null,
    details: [],
    ...fields,
  };
}

const ids = (events: readonly AuditEventView[]): number[] => events.map((event) => event.id);

describe('mergeEvents', () => {
  it('puts live entries on top and keeps each id once', () => {
    const held = [entry(5), entry(3), entry(2)];
    assert.deepEqual(ids(mergeEvents(held, [entry(6)])), [6, 5, 3, 2]);
    assert.deepEqual(ids(mergeEvents(held, [entry(5)])), [5, 3, 2]);
  });

  it('appends an older page and sorts newest first', () => {
    assert.deepEqual(ids(mergeEvents([entry(9), entry(8)], [entry(4), entry(7), entry(8)])), [9, 8, 7, 4]);
  });

  it('returns a copy when nothing comes in', () => {
    const held = [entry(1)];
    const merged = mergeEvents(held, []);
    assert.deepEqual(ids(merged), [1]);
    assert.notEqual(merged, held);
  });
});

describe('leavesGap', () => {
  it('is true only for a full page entirely newer than what is held', () => {
    const held = [entry(10), entry(9)];
    assert.equal(leavesGap(held, [entry(13), entry(12)], 2), true);
    assert.equal(leavesGap(held, [entry(12), entry(10)], 2), false);
    assert.equal(leavesGap(held, [entry(12)], 2), false);
    assert.equal(leavesGap([], [entry(12), entry(11)], 2), false);
  });
});

describe('filterEvents', () => {
  const events = [
    entry(3, { code: 'R1001W', actor_name: 'Bob', ip: '198.51.100.7' }),
    entry(2, { code: 'R3000I', target_kind: 'session', target_name: 'Front desk PC' }),
    entry(1, { ip: null }),
  ];
  const text = (event: AuditEventView) => [event.code, event.actor_name, event.target_name, event.ip];

  it('keeps everything for an empty query', () => {
    assert.deepEqual(ids(filterEvents(events, '  ', text)), [3, 2, 1]);
  });

  it('needs every word, in any field, ignoring case', () => {
    assert.deepEqual(ids(filterEvents(events, 'front PC', text)), [2]);
    assert.deepEqual(ids(filterEvents(events, 'bob 198.51', text)), [3]);
    assert.deepEqual(ids(filterEvents(events, 'alice r3000i', text)), [2]);
    assert.deepEqual(ids(filterEvents(events, 'nobody', text)), []);
  });
});

describe('isWarning', () => {
  it('reads the severity letter', () => {
    assert.equal(isWarning('R1001W'), true);
    assert.equal(isWarning('R1000I'), false);
  });
});
