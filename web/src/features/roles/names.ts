// How roles are named to people: built-in roles in the reader's language (the
// server stores their English names), the company's own roles as typed.

import type { RoleView } from '../../gen/proto.ts';
import type { I18n } from '../../i18n/index.ts';

export function roleName(role: RoleView, t: I18n['t']): string {
  return role.builtin === null ? role.name : t(`roles.builtin.${role.builtin}`);
}

/** The description, or for a built-in role what it is for. */
export function roleAbout(role: RoleView, t: I18n['t']): string {
  return role.builtin === null ? role.description : t(`roles.builtinAbout.${role.builtin}`);
}

/** Built-in roles first (Administrator, Technician), then the company's by name. */
export function sortRoles(roles: readonly RoleView[]): RoleView[] {
  const rank = (role: RoleView): number => (role.builtin === 'administrator' ? 0 : role.builtin === 'technician' ? 1 : 2);
  return [...roles].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}
