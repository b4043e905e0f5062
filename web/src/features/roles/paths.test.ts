import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPaths, isAllowedPath, MAX_ALLOWED_PATHS, parsePaths } from './paths.ts';

describe('isAllowedPath', () => {
  it('accepts absolute Unix and Windows paths', () => {
    for (const path of ['/', '/home/support', '\\\\server\\share', 'C:\\Users\\Public', 'd:/data']) assert.equal(isAllowedPath(path), true, path);
  });

  it('refuses relative paths and any `..`', () => {
    for (const path of ['home', './x', 'C:relative', '/srv/../etc', 'C:\\a\\..\\b']) assert.equal(isAllowedPath(path), false, path);
  });

  it('allows names that merely contain dots', () => {
    assert.equal(isAllowedPath('/srv/..hidden/file...txt'), true);
  });
});

describe('parsePaths', () => {
  it('reads an empty list as anywhere', () => {
    assert.deepEqual(parsePaths(''), { ok: true, paths: null });
    assert.deepEqual(parsePaths('  \n\n '), { ok: true, paths: null });
  });

  it('trims lines and drops blanks and repeats', () => {
    assert.deepEqual(parsePaths(' /tmp \n\n/home/a\n/tmp\r\n'), { ok: true, paths: ['/tmp', '/home/a'] });
  });

  it('names the first bad line', () => {
    assert.deepEqual(parsePaths('/ok\nrelative/path\n../x'), { ok: false, problem: 'invalid', path: 'relative/path' });
  });

  it('refuses more than the server keeps', () => {
    const text = Array.from({ length: MAX_ALLOWED_PATHS + 1 }, (_, index) => `/p${index}`).join('\n');
    assert.deepEqual(parsePaths(text), { ok: false, problem: 'too_many' });
  });

  it('round-trips with formatPaths', () => {
    assert.equal(formatPaths(null), '');
    assert.deepEqual(parsePaths(formatPaths(['/a', 'C:\\b'])), { ok: true, paths: ['/a', 'C:\\b'] });
  });
});
