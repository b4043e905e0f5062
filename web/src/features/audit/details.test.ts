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
    assert.equal(detailValue('tenant_only_before', 'true', en), 'yes');
    assert.equal(detailValue('tenant_only_after', 'false', fr), 'non');
  });

  it('names permissions in the reader’s language and keeps unknown ones', () => {
    assert.equal(detailValue('permissions', 'session.unattended, event_log.view', en), 'Unattended sessions, Read the event log');
    assert.equal(detailValue('permissions_after', 'session.unattended, future.thing', fr), 'Sessions sans surveillance, future.thing');
    assert.equal(detailValue('permissions_before', '', en), '—');
  });

  it('translates grant scopes; the device group’s name is a detail of its own, kept as sent', () => {
    assert.equal(detailValue('scope', 'company', fr), 'toute l’entreprise');
    assert.equal(detailValue('scope', 'device_group', en), 'a device group');
    assert.equal(detailValue('scope', 'device_group', fr), 'un groupe d’appareils');
    assert.equal(detailValue('device_group', 'company', en), 'company');
    assert.equal(detailValue('scope', 'elsewhere', en), 'elsewhere');
  });

  it('translates unrestricted path lists and keeps paths', () => {
    assert.equal(detailValue('upload_paths', 'anywhere', fr), 'partout');
    assert.equal(detailValue('download_paths_after', '/srv, /tmp', en), '/srv, /tmp');
  });

  it('translates how a sign-in proved its second factor', () => {
    assert.equal(detailValue('second_factor', 'authenticator_code', en), 'authenticator app code');
    assert.equal(detailValue('second_factor', 'recovery_code', fr), 'code de récupération');
  });

  it('translates who turned two-factor sign-in off', () => {
    assert.equal(detailValue('by', 'self', en), 'the user themselves');
    assert.equal(detailValue('by', 'administrator', fr), 'un administrateur');
    assert.equal(detailValue('by', 'end_user', en), 'the end user, on the device');
    assert.equal(detailValue('by', 'technician', fr), 'le technicien');
  });

  it('translates why a sign-in failed', () => {
    assert.equal(detailValue('reason', 'wrong_password', en), 'wrong password');
    assert.equal(detailValue('reason', 'account_disabled', fr), 'compte désactivé');
    assert.equal(detailValue('reason', 'wrong_second_factor', en), 'wrong or already used code');
    assert.equal(detailValue('reason', 'password_sign_in_disabled', fr), 'connexion par mot de passe désactivée dans l’entreprise');
    assert.equal(detailValue('reason', 'no_company', en), 'not a member of any company');
  });

  it('translates single sign-on protocols and how a client secret changed', () => {
    assert.equal(detailValue('through', 'oidc', en), 'OpenID Connect');
    assert.equal(detailValue('protocol', 'oidc', fr), 'OpenID Connect');
    assert.equal(detailValue('protocol', 'saml', en), 'SAML 2.0');
    assert.equal(detailValue('client_secret', 'kept', fr), 'conservé');
    assert.equal(detailValue('reason', 'sso_denied', en), 'cancelled or refused at the identity provider');
  });

  it('translates why a session ended', () => {
    assert.equal(detailValue('reason', 'technician_ended', en), 'Ended by the technician');
    assert.equal(detailValue('reason', 'agent_disconnected', fr), 'L’appareil s’est déconnecté');
  });

  it('leaves names, addresses, ids and unknown codes as sent', () => {
    assert.equal(detailValue('display_name', 'true', en), 'true');
    assert.equal(detailValue('user', 'ada@example.com', fr), 'ada@example.com');
    assert.equal(detailValue('end_user', 'true', en), 'true');
    assert.equal(detailValue('technician_id', 'false', en), 'false');
    assert.equal(detailValue('members_added', 'ada@example.com, bob@example.com', en), 'ada@example.com, bob@example.com');
    assert.equal(detailValue('members_removed', 'carol@example.com', fr), 'carol@example.com');
    assert.equal(detailValue('reason', 'a_future_reason', en), 'a_future_reason');
    // A detail whose name is inherited from Object.prototype is not a known code.
    assert.equal(detailValue('constructor', 'self', en), 'self');
    assert.equal(detailValue('by', 'toString', en), 'toString');
  });

  it('shows an empty value as a dash', () => {
    assert.equal(detailValue('roles', '', en), '—');
  });
});
