/**
 * Remote resources and bases in a kustomization: what kustomize would fetch over the network (or
 * clone from another directory on this machine) instead of reading from the commit. kustomize looks
 * a reference up locally first, then parses it as a URL or a git repo spec; so does salve.
 */

export interface RemoteRef {
  /** Lower-case host, with `:port` when the reference names one; `''` for `file://` (this machine). */
  host: string;
  port: string;
}

// The forms kustomize's loader accepts (api/internal/git/repospec.go, loader/fileloader.go); anything
// else it fails to parse, and fetches nothing.
const SCHEME = /^(ssh|https?|file):\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^/:?#]*)(?::(\d+))?/i;
const USER_AT_HOST = /^[a-z][a-z0-9-]*@([^/:?#]+)/i;
const GITHUB = /^github\.com[/:]/i;

/** The host a reference would be fetched from, or null when it is not remote. */
export function remoteRef(reference: string): RemoteRef | null {
  const ref = reference.replace(/^git::/i, '');
  const scheme = SCHEME.exec(ref);
  if (scheme) {
    const host = scheme[1]?.toLowerCase() === 'file' ? '' : (scheme[2] ?? '').toLowerCase();
    return { host, port: scheme[3] ?? '' };
  }
  if (GITHUB.test(ref)) return { host: 'github.com', port: '' };
  const user = USER_AT_HOST.exec(ref);
  if (user) return { host: (user[1] ?? '').toLowerCase(), port: '' };
  return null;
}

/** `.salve.yaml` kustomize.remoteHosts entries are host names, or `host:port` for one port only. */
export function hostAllowed(ref: RemoteRef, allowed: readonly string[]): boolean {
  if (ref.host === '') return false;
  return allowed.some((entry) => {
    const e = entry.toLowerCase();
    return e === ref.host || (ref.port !== '' && e === `${ref.host}:${ref.port}`);
  });
}
