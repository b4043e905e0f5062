import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SsoDomainView } from '../../gen/proto.ts';
import { applyDomainChange, configuredProtocol, exclusionSummary, failureKey, parseAddresses, sortDomains } from './domains.ts';

function domain(overrides: Partial<SsoDomainView>): SsoDomainView {
  return {
    id: 'd',
    domain: 'example.com',
    status: 'unverified',
    failure: null,
    txt_name: 'example.com',
    txt_value: 'reach-domain-verification=x',
    started_at: null,
    checked_at: null,
    verification_ends_at: null,
    verified_at: null,
    created_at: 0,
    ...overrides,
  };
}

describe('failureKey', () => {
  it('has words for each reason the server gives, and a fallback', () => {
    assert.equal(failureKey('not_found_in_time'), 'sso.failure.not_found_in_time');
    assert.equal(failureKey('verified_by_another_company'), 'sso.failure.verified_by_another_company');
    assert.equal(failureKey('something_new'), 'sso.failure.unknown');
    assert.equal(failureKey(null), 'sso.failure.unknown');
  });
});

describe('sortDomains', () => {
  it('lists verified domains first, then by name', () => {
    const sorted = sortDomains([domain({ id: '1', domain: 'b.com' }), domain({ id: '2', domain: 'z.com', status: 'verified' }), domain({ id: '3', domain: 'a.com', status: 'failed' })]);
    assert.deepEqual(
      sorted.map((d) => d.id),
      ['2', '3', '1'],
    );
  });
});

describe('applyDomainChange', () => {
  it('replaces, adds and removes by id; waits for the first load', () => {
    const list = [domain({ id: '1' }), domain({ id: '2' })];
    assert.deepEqual(applyDomainChange(list, domain({ id: '1', status: 'verified' }), false)?.find((d) => d.id === '1')?.status, 'verified');
    assert.equal(applyDomainChange(list, domain({ id: '3' }), false)?.length, 3);
    assert.deepEqual(
      applyDomainChange(list, domain({ id: '1' }), true)?.map((d) => d.id),
      ['2'],
    );
    assert.equal(applyDomainChange(null, domain({ id: '1' }), false), null);
  });
});

describe('parseAddresses', () => {
  it('takes one address per line, or separated by commas and spaces, without blanks', () => {
    assert.deepEqual(parseAddresses(' ada@example.com\n\nbob@example.com, carol@example.com ;dan@example.com '), [
      'ada@example.com',
      'bob@example.com',
      'carol@example.com',
      'dan@example.com',
    ]);
    assert.deepEqual(parseAddresses('  \n '), []);
  });
});

describe('configuredProtocol', () => {
  it('tells which protocol a domain has a provider for, none when neither', () => {
    const saml = {
      entity_id: 'https://idp.example.com',
      sso_url: 'https://idp.example.com/sso',
      binding: 'redirect' as const,
      certificates: [],
      metadata_url: null,
      customer_identifier_set: false,
      updated_at: 0n,
    };
    const oidc = { issuer: 'https://login.example.com', client_id: 'reach', client_secret_set: false, updated_at: 0n };
    assert.equal(configuredProtocol({ identity_provider: null }, { provider: null }), null);
    assert.equal(configuredProtocol({ identity_provider: saml }, { provider: null }), 'saml');
    assert.equal(configuredProtocol({ identity_provider: null }, { provider: oidc }), 'oidc');
  });
});

describe('exclusionSummary', () => {
  it('lists the addresses, then the groups, and is empty for nobody', () => {
    const words = (count: number): string => `${count} group(s)`;
    assert.equal(exclusionSummary(['ada@example.com', 'bob@example.com'], 0, words), 'ada@example.com, bob@example.com');
    assert.equal(exclusionSummary(['ada@example.com'], 2, words), 'ada@example.com, 2 group(s)');
    assert.equal(exclusionSummary([], 1, words), '1 group(s)');
    assert.equal(exclusionSummary([], 0, words), '');
  });
});
