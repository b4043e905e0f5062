// Small helpers shared by the user and user-group pages.

/** People sorted by name, then e-mail address (names need not be unique). */
export function byName<T extends { display_name: string; email: string }>(a: T, b: T): number {
  return a.display_name.localeCompare(b.display_name) || a.email.localeCompare(b.email);
}
