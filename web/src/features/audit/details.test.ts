import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeI18n } from '../../i18n/index.ts';
import { detailValue } from './details.ts';

const en = makeI18n('en', () => undefined);
const fr = makeI18n('fr', () => undefined);

describe('detailValue', () => {
  it('translates yes/no values', () => {
    assert.equal(detailValue('view_only', 'true', en), 'yes');
    assert.equal(detailValue('disabled_after', 'false', fr), 'non');
  });

  it('names permissions in the reader’s language and keeps unknown ones', () => {
    assert.equal(detailValue('permissions', 'session.unattended, event_log.view', en), 'Unattended sessions, Read the event log');
    assert.equal(detailValue('permissions_after', 'session.unattended, future.thing', fr), 'Sessions sans surveillance, future.thing');
    assert.equal(detailValue('permissions_before', '', en), '—');
  });

  it('translates scopes and unrestricted path lists', () => {
    assert.equal(detailValue('scope', 'company', fr), 'toute l’entreprise');
    assert.equal(detailValue('scope', 'device group Front desk', en), 'device group Front desk');
    assert.equal(detailValue('scope', 'device group Accueil', fr), 'groupe d’appareils Accueil');
    assert.equal(detailValue('upload_paths', 'anywhere', fr), 'partout');
    assert.equal(detailValue('download_paths_after', '/srv, /tmp', en), '/srv, /tmp');
  });

  it('leaves names and ids as sent', () => {
    assert.equal(detailValue('display_name', 'true', en), 'true');
    assert.equal(detailValue('user', 'ada@example.com', fr), 'ada@example.com');
    assert.equal(detailValue('members_added', 'a1, b2', en), 'a1, b2');
  });

  it('shows an empty value as a dash', () => {
    assert.equal(detailValue('roles', '', en), '—');
  });
});
