// What the device list does with attended devices (joined with a session key for one
// session). Pure, so unit tests can load it.

import type { DeviceView } from '../../gen/proto.ts';

/** Whether the device joined with a session key rather than being enrolled. */
export function isAttended(device: DeviceView): boolean {
  return device.attended_by !== null;
}

/**
 * The devices the list shows. An attended device is revoked when its agent leaves and
 * never comes back, so once revoked it is history (the sessions page keeps it), not a
 * device: it leaves the list. Revoked enrolled devices stay, shown as revoked.
 */
export function listedDevices(devices: readonly DeviceView[]): DeviceView[] {
  return devices.filter((device) => !(device.revoked && isAttended(device)));
}

/**
 * Who may start a session on the device, as the list offers it: anyone (the server
 * decides) for an enrolled device; only the technician it joined for an attended one.
 */
export function startableBy(device: DeviceView, userId: string): boolean {
  return device.attended_by === null || device.attended_by === userId;
}

