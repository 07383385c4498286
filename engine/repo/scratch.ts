/**
 * A scratch directory holding some files of a RepoTree as regular files, for tools that need a
 * directory (kustomize, opa). Writes are confined by construction: every path is clean and
 * repo-relative, every directory on the way is one this module created (checked with lstat), and
 * every file is created with O_EXCL | O_NOFOLLOW, so nothing is ever written through a link or
 * outside the scratch root.
 */
import { constants } from 'node:fs';
import { lstat, mkdir, mkdtemp, open, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, PublishError } from '../model/errors.ts';
import { formatBytes } from '../tools/index.ts';
import { cleanPath } from './paths.ts';
import { MAX_FILE_BYTES, type RepoTree, resolvePath } from './tree.ts';

/** At most this much is copied for one build. */
export const MAX_SCRATCH_BYTES = 256 * 1024 * 1024;

export interface Scratch {
  /** Absolute path of the scratch root. */
  dir: string;
  /** Writes one more file (a clean repo-relative path) into the scratch root. */
  write(path: string, bytes: Buffer | string): Promise<void>;
  /** Creates a directory (a clean repo-relative path) and its parents. */
  mkdir(path: string): Promise<void>;
  cleanup(): Promise<void>;
}

export async function createScratch(prefix: string): Promise<Scratch> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), prefix)));
  const made = new Set<string>(['']);

  async function ensureDir(rel: string): Promise<void> {
    if (made.has(rel)) return;
    const at = rel.lastIndexOf('/');
    if (at > 0) await ensureDir(rel.slice(0, at));
    const abs = join(dir, rel);
    await mkdir(abs).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    if (!(await lstat(abs)).isDirectory()) throw new PublishError(`scratch path ${rel} is not a directory`);
    made.add(rel);
  }

  return {
    dir,
    async write(path, bytes) {
      const rel = cleanPath(path, 'file');
      const at = rel.lastIndexOf('/');
      if (at > 0) await ensureDir(rel.slice(0, at));
      const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
      const handle = await open(join(dir, rel), flags, 0o644);
      try {
        await handle.writeFile(bytes);
      } finally {
        await handle.close();
      }
    },
    mkdir: (path) => ensureDir(cleanPath(path, 'directory')),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A scratch copy of `files` of `tree`: a regular file at each path, links inside the repo followed. */
export async function materialize(tree: RepoTree, files: readonly string[], prefix: string): Promise<Scratch> {
  let total = 0;
  const resolved = new Map<string, string>();
  for (const file of files) {
    const stat = await resolvePath(tree, file);
    if (!stat || stat.kind !== 'file') continue;
    resolved.set(file, stat.path);
    if (stat.size > MAX_FILE_BYTES) {
      throw new ConfigError(
        `${file} in ${tree.where} is ${formatBytes(stat.size)}, more than the ${formatBytes(MAX_FILE_BYTES)} salve reads`,
        { code: 'file-too-large' },
      );
    }
    total += stat.size;
  }
  if (total > MAX_SCRATCH_BYTES) {
    throw new ConfigError(
      `the ${files.length} files a build reads in ${tree.where} hold ${formatBytes(total)}, more than the ${formatBytes(MAX_SCRATCH_BYTES)} salve copies`,
      { code: 'build-too-large' },
    );
  }
  const scratch = await createScratch(prefix);
  try {
    const contents = await tree.readResolved([...new Set(resolved.values())]);
    for (const [path, real] of resolved) await scratch.write(path, contents.get(real) as Buffer);
  } catch (err) {
    await scratch.cleanup();
    throw err;
  }
  return scratch;
}
