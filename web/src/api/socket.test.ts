import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, socketUrl } from './socket.ts';

describe('socketUrl', () => {
  it('uses wss on HTTPS pages and ws otherwise', () => {
    assert.equal(socketUrl('/api/events', { protocol: 'https:', host: 'reach.example:8443' }), 'wss://reach.example:8443/api/events');
    assert.equal(socketUrl('/api/events', { protocol: 'http:', host: 'localhost:5173' }), 'ws://localhost:5173/api/events');
  });
});

describe('backoffDelay', () => {
  it('doubles up to the ceiling, with jitter in the upper half', () => {
    assert.equal(backoffDelay(0, 500, 15_000, () => 0), 250);
    assert.equal(backoffDelay(0, 500, 15_000, () => 1), 500);
    assert.equal(backoffDelay(3, 500, 15_000, () => 1), 4000);
    assert.equal(backoffDelay(10, 500, 15_000, () => 1), 15_000);
    assert.equal(backoffDelay(100, 500, 15_000, () => 0), 7500);
  });
});
