/**
 * A read-only view of a config repo's files: one commit (snapshot.ts) or a directory (fs-tree.ts).
 * Whatever backs it, every file it serves is a regular file inside the repository. A symbolic link
 * is followed only when it resolves inside the repository, as Argo CD does (it renders such repos
 * and refuses out-of-bounds links); a link that leaves it is a ConfigError naming the link.
 */
import { ConfigError, quote } from '../model/errors.ts';
import { formatBytes } from '../tools/index.ts';
import { isCleanPath, parentOf, resolveInside } from './paths.ts';

export type EntryKind = 'file' | 'dir';

/** What a path is, without following it when it is a link. */
export interface RawEntry {
  type: EntryKind | 'link' | 'other';
  size: number;
}

export interface TreeStat {
  kind: EntryKind;
  size: number;
  /** The resolved path (links followed). */
  path: string;
}

export interface DirEntry {
  name: string;
  /** `outside`: a link that leaves the repository (or loops); never read. */
  kind: EntryKind | 'outside';
}

export interface RepoTree {
  /** For messages: `commit 1a2b3c4d5e6f` or a directory. */
  readonly where: string;
  /** The entry itself, links not followed; null when absent. `''` is the root directory. */
  lstat(path: string): Promise<RawEntry | null>;
  /** The target text of a link (null when `path` is not a link). */
  readLink(path: string): Promise<string | null>;
  /** Names of the entries of a directory (links not followed). */
  children(dir: string): Promise<string[]>;
  /** Contents of regular files at resolved paths (no link on their way), in one go. */
  readResolved(paths: readonly string[]): Promise<Map<string, Buffer>>;
  /** A content id for cache keys: the blob id, or a sha256. */
  contentId(path: string): Promise<string>;
  /** Every regular file and link (not followed), with sizes: what globs match. */
  files(): Promise<Array<{ path: string; size: number }>>;
  /**
   * Of `paths`, those whose bytes may contain one of `words` (fixed strings): every one that does,
   * and links (their target is another file). Without it, a caller reads every path to know.
   */
  mayContain?(paths: readonly string[], words: readonly string[]): Promise<string[]>;
}

/** Files salve parses (YAML, templates, policies, keys) are never larger than this. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;
const MAX_HOPS = 40;

function outside(link: string, target: string, where: string): ConfigError {
  return new ConfigError(
    `${link} in ${where}: a symbolic link to ${quote(target)}, outside the repository; salve reads only regular files inside the repository`,
    { code: 'symlink-outside' },
  );
}

/** Follows links inside the repository; null when absent; ConfigError when a link leaves it. */
export async function resolvePath(tree: RepoTree, path: string): Promise<TreeStat | null> {
  if (path !== '' && !isCleanPath(path)) return null;
  let parts = path === '' ? [] : path.split('/');
  let hops = 0;
  let done = '';
  let entry: RawEntry | null = { type: 'dir', size: 0 };
  for (let i = 0; i < parts.length; ) {
    const next = done ? `${done}/${parts[i]}` : (parts[i] as string);
    entry = await tree.lstat(next);
    if (!entry) return null;
    if (entry.type === 'link') {
      const target = (await tree.readLink(next)) ?? '';
      const resolved = resolveInside(parentOf(next), target);
      if (resolved === null) throw outside(next, target, tree.where);
      if (++hops > MAX_HOPS) {
        throw new ConfigError(`${next} in ${tree.where}: symbolic links loop`, { code: 'symlink-outside' });
      }
      parts = [...(resolved ? resolved.split('/') : []), ...parts.slice(i + 1)];
      done = '';
      i = 0;
      entry = { type: 'dir', size: 0 };
      continue;
    }
    if (i < parts.length - 1 && entry.type !== 'dir') return null;
    done = next;
    i++;
  }
  if (!entry || (entry.type !== 'file' && entry.type !== 'dir')) return null;
  return { kind: entry.type, size: entry.size, path: done };
}

/** A regular file's bytes, links inside the repository followed; null when absent or a directory. */
export async function readFileBytes(tree: RepoTree, path: string, maxBytes = MAX_FILE_BYTES): Promise<Buffer | null> {
  const stat = await resolvePath(tree, path);
  if (!stat || stat.kind !== 'file') return null;
  if (stat.size > maxBytes) {
    throw new ConfigError(
      `${path} in ${tree.where} is ${formatBytes(stat.size)}, more than the ${formatBytes(maxBytes)} salve reads`,
      { code: 'file-too-large' },
    );
  }
  return (await tree.readResolved([stat.path])).get(stat.path) ?? null;
}

export async function readFileText(tree: RepoTree, path: string, maxBytes = MAX_FILE_BYTES): Promise<string | null> {
  return (await readFileBytes(tree, path, maxBytes))?.toString('utf8') ?? null;
}

/** The entries of a directory (links followed when they stay inside), sorted by name. */
export async function listDir(tree: RepoTree, dir: string): Promise<DirEntry[]> {
  const stat = await resolvePath(tree, dir);
  if (!stat || stat.kind !== 'dir') return [];
  const entries: DirEntry[] = [];
  for (const name of (await tree.children(stat.path)).sort()) {
    const child = stat.path ? `${stat.path}/${name}` : name;
    try {
      const resolved = await resolvePath(tree, child);
      if (resolved) entries.push({ name, kind: resolved.kind });
    } catch (err) {
      if (!(err instanceof ConfigError) || err.code !== 'symlink-outside') throw err;
      entries.push({ name, kind: 'outside' });
    }
  }
  return entries;
}

/** One batch of reads is at most this large (one git process per batch for a commit). */
const BATCH_BYTES = 32 * 1024 * 1024;

/**
 * Many files' text, read in batches: regular files (links inside the repo followed) of at most
 * `maxBytes`. A path that is absent, a directory, too large, or a link out of the repository is
 * left out of the result and reported to `skipped` with the reason; nothing else is thrown for it.
 */
export async function readManyText(
  tree: RepoTree,
  paths: readonly string[],
  maxBytes: number,
  skipped: (
    path: string,
    reason: 'too-large' | 'link-outside',
    detail: { bytes?: number; message?: string },
  ) => void = () => {},
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let batch = new Map<string, string>();
  let batchBytes = 0;
  const flush = async () => {
    if (batch.size === 0) return;
    const bytes = await tree.readResolved([...new Set(batch.values())]);
    for (const [path, real] of batch) out.set(path, (bytes.get(real) as Buffer).toString('utf8'));
    batch = new Map();
    batchBytes = 0;
  };
  for (const path of paths) {
    let stat: TreeStat | null;
    try {
      stat = await resolvePath(tree, path);
    } catch (err) {
      if (!(err instanceof ConfigError) || err.code !== 'symlink-outside') throw err;
      skipped(path, 'link-outside', { message: err.message });
      continue;
    }
    if (!stat || stat.kind !== 'file') continue;
    if (stat.size > maxBytes) {
      skipped(path, 'too-large', { bytes: stat.size });
      continue;
    }
    batch.set(path, stat.path);
    batchBytes += stat.size;
    if (batchBytes > BATCH_BYTES) await flush();
  }
  await flush();
  return out;
}
