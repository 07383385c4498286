/**
 * What resolution reads from a commit, kept on disk across runs: its Argo CD Applications and, per
 * overlay, the names its files hold (may-render.ts). Applications are kept by the digest of the
 * files they are read from (applicationsDigest), so a commit that leaves those files alone (a
 * change to one overlay, the usual commit) reuses them; names are kept by commit, which pins every
 * file an overlay reads. An entry is used only under the key it was written for: `salve plan` on a
 * base it has seen then parses neither a thousand Application files nor a thousand overlays again.
 * Files are checked on read (shape, key, size), written atomically, and at most MAX_ENTRIES of each
 * kind are kept (least recently used first out) in a directory that is the user's own.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArgoApplication } from '../model/remediation.ts';
import type { OverlayNames } from './may-render.ts';

const MAX_ENTRIES = 32;
const MAX_BYTES = 64 * 1024 * 1024;
const KEY = /^[0-9a-f]{40,64}$/;

interface StoredApplications {
  version: 2;
  digest: string;
  applications: ArgoApplication[];
}

interface StoredNames {
  version: 2;
  commit: string;
  names: Record<string, { names: string[]; argoOnly: boolean } | null>;
}

// Checked by hand, field by field: a schema library cost more than the rest of a warm run's reads
// on a thousand entries.
type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const APP_FIELDS = ['name', 'file', 'cluster', 'namespace', 'path', 'repoURL'] as const;

function isApplication(v: unknown): v is ArgoApplication {
  if (!isObject(v) || !APP_FIELDS.every((f) => isString(v[f]))) return false;
  const sync = v.sync;
  return (
    sync === undefined || (isObject(sync) && typeof sync.automated === 'boolean' && typeof sync.prune === 'boolean')
  );
}

function isStoredApplications(v: unknown): v is StoredApplications {
  return (
    isObject(v) &&
    v.version === 2 &&
    isString(v.digest) &&
    Array.isArray(v.applications) &&
    v.applications.every(isApplication)
  );
}

function isStoredNames(v: unknown): v is StoredNames {
  if (!isObject(v) || v.version !== 2 || !isString(v.commit) || !isObject(v.names)) return false;
  return Object.values(v.names).every(
    (n) =>
      n === null ||
      (isObject(n) && typeof n.argoOnly === 'boolean' && Array.isArray(n.names) && n.names.every(isString)),
  );
}

export interface CommitIndex {
  applications: readonly ArgoApplication[] | null;
  /** Names by overlay path, for this commit. */
  names: Map<string, OverlayNames>;
  /** Writes what was learnt in this run (nothing when nothing is new). */
  save(applications: readonly ArgoApplication[] | null): void;
}

export interface IndexKeys {
  commit: string;
  /** applicationsDigest() of the commit. */
  applications: string;
}

/** The stored entry at `file` when it has the shape `is` checks and `ok` holds, else null. */
function read<T>(file: string, is: (v: unknown) => v is T, ok: (entry: T) => boolean): T | null {
  try {
    if (statSync(file).size > MAX_BYTES) return null;
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!is(parsed) || !ok(parsed)) return null;
    const now = new Date();
    utimesSync(file, now, now);
    return parsed;
  } catch {
    return null;
  }
}

function prune(dir: string, keep: number): void {
  const kept = readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .flatMap((name) => {
      try {
        return [{ name, used: statSync(join(dir, name)).mtimeMs }];
      } catch {
        return [];
      }
    })
    .sort((a, b) => b.used - a.used);
  for (const { name } of kept.slice(keep)) rmSync(join(dir, name), { force: true });
}

/** Writes `body` to `dir/name` atomically; a failure is a slower next run, never a failed one. */
function write(dir: string, name: string, body: unknown): void {
  const tmp = join(dir, `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    writeFileSync(tmp, JSON.stringify(body), { mode: 0o600 });
    renameSync(tmp, join(dir, name));
    prune(dir, MAX_ENTRIES);
  } catch {
    rmSync(tmp, { force: true });
  }
}

/** The index under `keys` in `dir` (empty parts where there is none, or it does not check out). */
export function openCommitIndex(dir: string, keys: IndexKeys): CommitIndex {
  const { commit, applications: digest } = keys;
  if (!KEY.test(commit)) throw new Error(`not a commit id: ${commit}`);
  if (!KEY.test(digest)) throw new Error(`not a digest: ${digest}`);
  const appsDir = join(dir, 'applications');
  const namesDir = join(dir, 'names');
  mkdirSync(appsDir, { recursive: true, mode: 0o700 });
  mkdirSync(namesDir, { recursive: true, mode: 0o700 });
  // Entries of the first layout (one file per commit, beside these directories) are never read.
  prune(dir, 0);
  const apps = read(join(appsDir, `${digest}.json`), isStoredApplications, (e) => e.digest === digest);
  const stored = read(join(namesDir, `${commit}.json`), isStoredNames, (e) => e.commit === commit);
  const names = new Map<string, OverlayNames>(
    Object.entries(stored?.names ?? {}).map(([path, n]) => [
      path,
      n && { names: new Set(n.names), argoOnly: n.argoOnly },
    ]),
  );
  const known = names.size;
  return {
    applications:
      apps?.applications.map(({ name, file, cluster, namespace, path, repoURL, sync }) => ({
        name,
        file,
        cluster,
        namespace,
        path,
        repoURL,
        ...(sync ? { sync: { automated: sync.automated, prune: sync.prune } } : {}),
      })) ?? null,
    names,
    save(applications) {
      if (!apps && applications) write(appsDir, `${digest}.json`, { version: 2, digest, applications });
      if (names.size === known) return;
      write(namesDir, `${commit}.json`, {
        version: 2,
        commit,
        names: Object.fromEntries(
          [...names].map(([path, n]) => [path, n && { names: [...n.names].sort(), argoOnly: n.argoOnly }]),
        ),
      });
    },
  };
}
