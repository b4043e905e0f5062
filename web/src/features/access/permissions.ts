// The permission catalogue as the console shows it: every permission of
// crates/proto/src/access.rs, in the order of the role editor, sorted into the two
// areas it groups them by. Pure data, so unit tests can load it.

import type { Permission } from '../../gen/proto.ts';

export type PermissionArea = 'sessions' | 'administration';

/**
 * Which area each permission belongs to. A `Record` over the generated union, so a
 * permission added in crates/proto is a type error here until it is placed.
 */
const AREA: Record<Permission, PermissionArea> = {
  'session.attended': 'sessions',
  'session.unattended': 'sessions',
  'session.shell': 'sessions',
  'session.upload': 'sessions',
  'session.download': 'sessions',
  'session.system_info': 'sessions',
  'session.elevate': 'sessions',
  'session.share': 'sessions',
  'session.invite_external': 'sessions',
  'devices.manage': 'administration',
  'users.manage': 'administration',
  'roles.manage': 'administration',
  'reports.view': 'administration',
  'event_log.view': 'administration',
  'sso.manage': 'administration',
  'api_tokens.manage': 'administration',
  'company.manage': 'administration',
};

/** Every permission, in the server's catalogue order. */
export const ALL_PERMISSIONS = Object.keys(AREA) as Permission[];

export const PERMISSION_AREAS: readonly PermissionArea[] = ['sessions', 'administration'];

export function areaOf(permission: Permission): PermissionArea {
  return AREA[permission];
}

/** The permissions of one area, in catalogue order. */
export function permissionsIn(area: PermissionArea): Permission[] {
  return ALL_PERMISSIONS.filter((permission) => AREA[permission] === area);
}

export function isPermission(name: string): name is Permission {
  return Object.prototype.hasOwnProperty.call(AREA, name);
}

/** `held` in catalogue order, each once: how roles and accounts list them. */
export function sortPermissions(held: readonly Permission[]): Permission[] {
  const set = new Set(held);
  return ALL_PERMISSIONS.filter((permission) => set.has(permission));
}
