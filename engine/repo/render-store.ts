/**
 * Renders kept on disk across processes: a `salve plan` on a base it has seen builds only what its
 * change touches. An entry is the output of one `kustomize build`, keyed by the overlay, the digest
 * of every file the build read (BuildCache keys) and the kustomize binary that ran it, so it is
 * never used for other inputs or another kustomize. Each file repeats its key and the sha-256 of
 * its manifests: a damaged, truncated or misplaced entry is dropped and built again. Writes are
 * atomic (temp file, then rename), entries are bounded in count and bytes (least recently used
 * first out), and the directory is the user's own (0700).
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants as fsc,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { parseManifests } from '../check/manifests.ts';
import type { Tool } from '../tools/index.ts';
import { type BuildCache, type BuildResult, createBuildCache } from './build-overlay.ts';

export interface RenderStoreOptions {
  dir: string;
  kustomize: Tool;
  /** Most entries kept (default 256). */
  maxEntries?: number;
  /** Most bytes kept over all entries (default 128 MiB). */
  maxBytes?: number;
}

const HEADER = 'salve-render v1 ';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The kustomize that renders: its path, arguments and the binary's size and change time. */
function kustomizeIdentity(tool: Tool): string {
  const stat = statSync(tool.command);
  return JSON.stringify([tool.command, tool.prefix, stat.size, stat.mtimeMs]);
}

/** The entry's manifests when the file holds exactly this key and its checksum matches, else null. */
function readEntry(file: string, key: string, maxBytes: number): string | null {
  let fd: number;
  try {
    fd = openSync(file, fsc.O_RDONLY | fsc.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > maxBytes) return null;
    const text = readFileSync(fd, 'utf8');
    const eol = text.indexOf('\n');
    if (eol < 0 || !text.startsWith(HEADER)) return null;
    const header = JSON.parse(text.slice(HEADER.length, eol)) as { key?: unknown; sha256?: unknown };
    const yaml = text.slice(eol + 1);
    return header.key === key && header.sha256 === sha256(yaml) ? yaml : null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

function writeEntry(dir: string, file: string, key: string, yaml: string): void {
  const tmp = join(dir, `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    writeFileSync(tmp, `${HEADER}${JSON.stringify({ key, sha256: sha256(yaml) })}\n${yaml}`, { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // A cache that cannot be written is a slower run, never a failed one.
    rmSync(tmp, { force: true });
  }
}

/** Drops the least recently used entries past the bounds (a hit touches its file). */
function prune(dir: string, maxEntries: number, maxBytes: number): void {
  const entries = readdirSync(dir)
    .filter((n) => n.endsWith('.render'))
    .flatMap((name) => {
      try {
        const s = statSync(join(dir, name));
        return [{ name, size: s.size, used: s.mtimeMs }];
      } catch {
        return [];
      }
    })
    .sort((a, b) => b.used - a.used);
  let bytes = 0;
  entries.forEach((e, i) => {
    bytes += e.size;
    if (i >= maxEntries || bytes > maxBytes) rmSync(join(dir, e.name), { force: true });
  });
}

/**
 * A BuildCache (for `shared` builds: those that read only the repository) backed by `dir`. Builds
 * answered from disk are parsed again here, so callers get objects of their own.
 */
export function createRenderStore(opts: RenderStoreOptions): BuildCache {
  const maxEntries = opts.maxEntries ?? 256;
  const maxBytes = opts.maxBytes ?? 128 * 1024 * 1024;
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const identity = kustomizeIdentity(opts.kustomize);
  const memory = createBuildCache().entries;
  const fullKey = (key: string) => `${identity}\0${key}`;
  const fileOf = (key: string) => join(opts.dir, `${sha256(fullKey(key))}.render`);
  const entries: BuildCache['entries'] = {
    get(key) {
      const kept = memory.get(key);
      if (kept) return kept;
      const file = fileOf(key);
      const yaml = readEntry(file, fullKey(key), maxBytes);
      if (yaml === null) return undefined;
      let result: BuildResult;
      try {
        result = { objects: parseManifests(yaml, `kept render of ${key.split('\0')[0] || '.'}`), yaml };
      } catch {
        rmSync(file, { force: true });
        return undefined;
      }
      try {
        const now = new Date();
        utimesSync(file, now, now);
      } catch {
        // Pruned by another process meanwhile: the answer read is still right.
      }
      const pending = Promise.resolve(result);
      memory.set(key, pending);
      return pending;
    },
    set(key, value) {
      memory.set(key, value);
      // Written as soon as the build is in (before its caller resumes), so no write outlives a run.
      value.then(
        ({ yaml }) => {
          if (Buffer.byteLength(yaml) > maxBytes) return;
          writeEntry(opts.dir, fileOf(key), fullKey(key), yaml);
          prune(opts.dir, maxEntries, maxBytes);
        },
        () => undefined,
      );
      return entries;
    },
    delete(key) {
      const had = memory.delete(key);
      rmSync(fileOf(key), { force: true });
      return had;
    },
  };
  return { entries, stats: { builds: 0, hits: 0 } };
}
