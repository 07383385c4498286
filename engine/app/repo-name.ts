/**
 * `owner/name` of a GitHub repository, checked before it names a queue, a clone URL or a
 * checkout folder: two segments of letters, digits, `_`, `.` and `-`, neither `.` nor `..`.
 */
const SEGMENT = /^[A-Za-z0-9_.-]{1,100}$/;

/** Why `text` is not a repository name, or null when it is one. */
export function repoNameProblem(text: string): string | null {
  const parts = text.split('/');
  if (parts.length !== 2) return 'expected owner/name';
  for (const part of parts) {
    if (!SEGMENT.test(part)) return 'expected owner/name of letters, digits, "_", "." and "-"';
    if (part === '.' || part === '..') return '"." and ".." are not repository or owner names';
  }
  return null;
}

/** The raw request path (before any URL normalisation) holds no `.`/`..` segment, encoded or not. */
export function isCanonicalPath(rawPath: string): boolean {
  return rawPath.split('/').every((seg) => {
    const decoded = seg.replace(/%2e/gi, '.');
    return decoded !== '.' && decoded !== '..';
  });
}
