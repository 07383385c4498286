/**
 * What resolution reads from a commit, kept on disk across runs: its Argo CD Applications and, per
 * overlay, the names its files hold (may-render.ts). Applications are kept by the digest of the
 * files they are read from (applicationsDigest), so a commit that leaves those files alone (a
 * change to one overlay, the usual commit) reuses them. Names are kept per commit with what each
 * overlay's pass read (read-set.ts): on the commit they were written for they are used as they
 * are; on another (the next commit, usually an unrelated change) those of the last commit seen
 * are used for each overlay whose reads still read the same there, and read again for the rest.
 * `salve plan` on a base it has seen, or one commit on, then parses neither a thousand Application
 * files nor a thousand overlays again.
 * Files are checked on read (shape, key, size), written atomically, and at most MAX_ENTRIES of each
 * kind are kept (least recently used first out) in a directory that is the user's own.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { ArgoApplication } from '../model/remediation.ts';
import { keepJson } from './keep-json.ts';
import type { OverlayNames } from './may-render.ts';
import type { ReadSet } from './read-set.ts';

const MAX_ENTRIES = 32;
const MAX_BYTES = 64 * 1024 * 1024;
const KEY = /^[0-9a-f]{40,64}$/;

interface StoredApplications {
  version: 2;
  digest: string;
  applications: ArgoApplication[];
}

interface StoredNames {
  version: 3;
  commit: string;
  names: Record<string, { names: { names: string[]; argoOnly: boolean } | null; reads: ReadSet }>;
}

/** An overlay's names and what reading them read; `current` once they hold for the commit opened. */
export interface KeptNames {
  names: OverlayNames;
  reads: ReadSet;
  current: boolean;
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

function isNames(n: unknown): boolean {
  return (
    n === null || (isObject(n) && typeof n.argoOnly === 'boolean' && Array.isArray(n.names) && n.names.every(isString))
  );
}

function isStoredNames(v: unknown): v is StoredNames {
  if (!isObject(v) || v.version !== 3 || !isString(v.commit) || !isObject(v.names)) return false;
  return Object.values(v.names).every(
    (e) => isObject(e) && isNames(e.names) && isObject(e.reads) && Object.values(e.reads).every(isString),
  );
}

export interface CommitIndex {
  applications: readonly ArgoApplication[] | null;
  /**
   * Names by overlay path: for this commit (`current`), or kept from the last commit seen, to be
   * used once their reads are checked against this one (read-set.ts `stillHolds`).
   */
  names: Map<string, KeptNames>;
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

/** The entries of `dir`, most recently used first. */
function byUse(dir: string): Array<{ name: string; used: number }> {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .flatMap((name) => {
      try {
        return [{ name, used: statSync(join(dir, name)).mtimeMs }];
      } catch {
        return [];
      }
    })
    .sort((a, b) => b.used - a.used);
}

function prune(dir: string, keep: number): void {
  for (const { name } of byUse(dir).slice(keep)) rmSync(join(dir, name), { force: true });
}

/** Writes `body` to `dir/name` atomically; a failure is a slower next run, never a failed one. */
function write(dir: string, name: string, body: unknown): void {
  if (keepJson(dir, join(dir, name), body)) prune(dir, MAX_ENTRIES);
}

/** The names kept for the commit seen last (any commit: each entry is checked before use). */
function lastNames(dir: string): StoredNames | null {
  const [latest] = byUse(dir);
  return latest ? read(join(dir, latest.name), isStoredNames, () => true) : null;
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
  const exact = read(join(namesDir, `${commit}.json`), isStoredNames, (e) => e.commit === commit);
  const last = exact ? null : lastNames(namesDir);
  const names = new Map<string, KeptNames>(
    Object.entries((exact ?? last)?.names ?? {}).map(([path, { names: n, reads }]) => [
      path,
      { names: n && { names: new Set(n.names), argoOnly: n.argoOnly }, reads, current: exact !== null },
    ]),
  );
  const current = () => [...names].filter(([, n]) => n.current);
  const known = current().length;
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
      const kept = current();
      if (kept.length === known) return;
      write(namesDir, `${commit}.json`, {
        version: 3,
        commit,
        names: Object.fromEntries(
          kept.map(([path, { names: n, reads }]) => [
            path,
            { names: n && { names: [...n.names].sort(), argoOnly: n.argoOnly }, reads },
          ]),
        ),
      });
    },
  };
}
