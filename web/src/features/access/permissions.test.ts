import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_PERMISSIONS, areaOf, isPermission, permissionsIn, sortPermissions } from './permissions.ts';

describe('permission catalogue', () => {
  it('puts session.* permissions under Sessions and the rest under Administration', () => {
    for (const permission of ALL_PERMISSIONS) {
      assert.equal(areaOf(permission), permission.startsWith('session.') ? 'sessions' : 'administration', permission);
    }
  });

  it('splits into the two areas without losing or repeating one', () => {
    const split = [...permissionsIn('sessions'), ...permissionsIn('administration')];
    assert.deepEqual([...split].sort(), [...ALL_PERMISSIONS].sort());
    assert.equal(new Set(ALL_PERMISSIONS).size, ALL_PERMISSIONS.length);
  });

  it('recognises wire names only', () => {
    assert.equal(isPermission('event_log.view'), true);
    assert.equal(isPermission('event_log'), false);
    assert.equal(isPermission('toString'), false);
  });

  it('sorts held permissions into catalogue order, each once', () => {
    assert.deepEqual(sortPermissions(['company.manage', 'session.shell', 'session.attended', 'session.shell']), [
      'session.attended',
      'session.shell',
      'company.manage',
    ]);
  });
});
