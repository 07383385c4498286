/**
 * Repo-relative paths, the only kind salve reads or writes: forward slashes, no `.`, `..` or empty
 * segments, never absolute, never into `.git`, no control characters. `''` is the repository root.
 */
import { posix } from 'node:path';
import { InputError, quote } from '../model/errors.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
const CONTROL = /[\u0000-\u001f\u007f]/;

function cleanSegment(segment: string): boolean {
  return segment !== '' && segment !== '.' && segment !== '..' && segment.toLowerCase() !== '.git';
}

/** True for a non-empty, clean repo-relative path. */
export function isCleanPath(path: string): boolean {
  return path !== '' && !CONTROL.test(path) && path.split('/').every(cleanSegment);
}

/** The path itself when clean; InputError `unsafe-path` naming it (and what it is) otherwise. */
export function cleanPath(path: string, what: string): string {
  if (!isCleanPath(path)) {
    throw new InputError(`${what} ${quote(path)} is not a clean path inside the repository`, { code: 'unsafe-path' });
  }
  return path;
}

/**
 * `ref` (relative, as a kustomization or a symbolic link writes it) resolved against the repo-relative
 * directory `base`: the clean repo-relative result, `''` for the root, null when it leaves the
 * repository or is absolute.
 */
export function resolveInside(base: string, ref: string): string | null {
  if (ref.startsWith('/') || CONTROL.test(ref)) return null;
  const joined = posix.normalize(posix.join(base || '.', ref)).replace(/\/+$/, '');
  if (joined === '.' || joined === '') return '';
  if (joined === '..' || joined.startsWith('../') || joined.startsWith('/')) return null;
  return joined.split('/').every(cleanSegment) ? joined : null;
}

/** The parent directory of a repo-relative path (`''` for a top-level entry). */
export function parentOf(path: string): string {
  const at = path.lastIndexOf('/');
  return at < 0 ? '' : path.slice(0, at);
}
