// The upload and download allow-lists of a role as typed in the editor: one
// absolute path per line. The rules mirror `valid_allowed_path` in
// crates/core/src/policy/grants.rs, so a mistake is named before anything is sent;
// the server checks again.

/** Most entries in one list (`MAX_ALLOWED_PATHS` in crates/server/src/api/roles.rs). */
export const MAX_ALLOWED_PATHS = 64;

/** Longest entry the server accepts, in bytes. */
const MAX_PATH_BYTES = 1024;

export type PathsResult =
  /** `null` paths: no list, anywhere is allowed. */
  | { ok: true; paths: string[] | null }
  | { ok: false; problem: 'invalid'; path: string }
  | { ok: false; problem: 'too_many' };

/** Absolute (`/…`, `\…` or `C:\…`, `C:/…`) and never climbing with `..`. */
export function isAllowedPath(path: string): boolean {
  const absolute = path.startsWith('/') || path.startsWith('\\') || /^.:[\\/]/u.test(path);
  if (!absolute) return false;
  return !path.split(/[\\/]/).includes('..') && new TextEncoder().encode(path).length <= MAX_PATH_BYTES;
}

/** Reads a textarea: lines trimmed, blank lines and repeats dropped; empty means anywhere. */
export function parsePaths(text: string): PathsResult {
  const paths: string[] = [];
  for (const line of text.split('\n')) {
    const path = line.trim();
    if (path === '' || paths.includes(path)) continue;
    if (!isAllowedPath(path)) return { ok: false, problem: 'invalid', path };
    paths.push(path);
  }
  if (paths.length > MAX_ALLOWED_PATHS) return { ok: false, problem: 'too_many' };
  return { ok: true, paths: paths.length === 0 ? null : paths };
}

/** The textarea text for a stored list. */
export function formatPaths(paths: readonly string[] | null): string {
  return paths === null ? '' : paths.join('\n');
}
