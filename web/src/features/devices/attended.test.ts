import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeviceView } from '../../gen/proto.ts';
import { isAttended, listedDevices, startableBy } from './attended.ts';

function device(overrides: Partial<DeviceView>): DeviceView {
  return {
    id: 'd',
    nickname: 'desk',
    hostname: 'desk',
    os: 'Debian',
    ip_addresses: [],
    device_group: null,
    online: true,
    last_seen: null,
    enrolled_at: 0,
    revoked: false,
    attended_by: null,
    end_user: null,
    ...overrides,
  };
}

describe('attended devices', () => {
  it('are the ones joined for a technician', () => {
    assert.equal(isAttended(device({})), false);
    assert.equal(isAttended(device({ attended_by: 'u1' })), true);
  });

  it('leave the list once revoked; revoked enrolled devices stay', () => {
    const enrolled = device({ id: 'a', revoked: true });
    const joined = device({ id: 'b', attended_by: 'u1' });
    const left = device({ id: 'c', attended_by: 'u1', revoked: true });
    assert.deepEqual(
      listedDevices([enrolled, joined, left]).map((d) => d.id),
      ['a', 'b'],
    );
  });

  it('offer a session only to the technician they joined; enrolled devices to anyone', () => {
    assert.equal(startableBy(device({ attended_by: 'u1' }), 'u1'), true);
    assert.equal(startableBy(device({ attended_by: 'u1' }), 'u2'), false);
    assert.equal(startableBy(device({}), 'u2'), true);
  });
});
