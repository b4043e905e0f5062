import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiTokenView } from '../../gen/proto.ts';
import { apiTokenState, exampleCommand, grantableScopes, LIFETIMES, sortApiTokens } from './tokens.ts';

function token(overrides: Partial<ApiTokenView>): ApiTokenView {
  return {
    id: 't',
    name: 'ci',
    user_id: 'u',
    user_email: 'a@example.com',
    scopes: ['devices.manage'],
    expires_at: 2_000,
    created_at: 0,
    last_used_at: null,
    revoked: false,
    ...overrides,
  };
}

describe('apiTokenState', () => {
  it('is revoked before anything else, then expired at its expiry', () => {
    assert.equal(apiTokenState(token({ revoked: true, expires_at: 0 }), 1_000), 'revoked');
    assert.equal(apiTokenState(token({ expires_at: 1_000 }), 1_000), 'expired');
    assert.equal(apiTokenState(token({ expires_at: 1_001 }), 1_000), 'active');
  });
});

describe('grantableScopes', () => {
  it('offers only what the creator holds, in catalogue order', () => {
    assert.deepEqual(grantableScopes(['users.manage', 'session.attended', 'devices.manage'], false), ['session.attended', 'devices.manage', 'users.manage']);
  });

  it('leaves session starts out of a company token', () => {
    assert.deepEqual(grantableScopes(['session.attended', 'session.unattended', 'session.shell', 'devices.manage'], true), ['session.shell', 'devices.manage']);
  });
});

describe('LIFETIMES', () => {
  it('stay within the server’s bounds (one hour to one year)', () => {
    for (const { seconds } of LIFETIMES) assert.ok(seconds >= 3600 && seconds <= 366 * 86_400, String(seconds));
  });
});

describe('sortApiTokens', () => {
  it('lists active tokens first, then by name', () => {
    const sorted = sortApiTokens(
      [token({ id: 'r', name: 'a', revoked: true }), token({ id: 'b', name: 'b' }), token({ id: 'e', name: 'a', expires_at: 10 }), token({ id: 'a', name: 'a' })],
      100,
    );
    assert.deepEqual(
      sorted.map((t) => t.id),
      ['a', 'b', 'r', 'e'],
    );
  });
});

describe('exampleCommand', () => {
  it('sends the token as a bearer to /api/v1', () => {
    assert.equal(exampleCommand('https://reach.example', 'rat_x'), "curl -H 'Authorization: Bearer rat_x' https://reach.example/api/v1/devices");
  });
});
