/**
 * Renders kept on disk across processes: a `salve plan` on a base it has seen builds only what its
 * change touches. An entry is the output of one `kustomize build`, keyed by the overlay, the digest
 * of every file the build read (BuildCache keys) and the kustomize binary that ran it, so it is
 * never used for other inputs or another kustomize. Each file repeats its key and the sha-256 of
 * its contents: a damaged, truncated or misplaced entry is dropped and built again. Beside the
 * manifests an entry holds their objects as JSON, read back some ten times faster than the YAML is
 * parsed (when JSON holds them exactly: no infinities, no -0, no `__proto__` key). Writes are
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
  /** Answer from what is kept, write nothing (a dry run): no new entry, no touch, no removal. */
  readOnly?: boolean;
}

const HEADER = 'salve-render v2 ';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The kustomize that renders: its path, arguments and the binary's size and change time. */
function kustomizeIdentity(tool: Tool): string {
  const stat = statSync(tool.command);
  return JSON.stringify([tool.command, tool.prefix, stat.size, stat.mtimeMs]);
}

/** The objects as JSON, or '' when JSON would not give back the same objects. */
function exactJson(objects: unknown): string {
  let exact = true;
  const json = JSON.stringify(objects, (name, value: unknown) => {
    if (name === '__proto__' || (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))))
      exact = false;
    return value;
  });
  return exact ? json : '';
}

/** The entry's manifests (and objects as JSON, or '') when the file holds exactly this key and its checksum matches, else null. */
function readEntry(file: string, key: string, maxBytes: number): { yaml: string; json: string } | null {
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
    const header = JSON.parse(text.slice(HEADER.length, eol)) as { key?: unknown; sha256?: unknown; yaml?: unknown };
    const body = text.slice(eol + 1);
    if (header.key !== key || header.sha256 !== sha256(body) || typeof header.yaml !== 'number') return null;
    return { yaml: body.slice(0, header.yaml), json: body.slice(header.yaml) };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

function writeEntry(dir: string, file: string, key: string, { yaml, objects }: BuildResult): void {
  const tmp = join(dir, `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    const body = `${yaml}${exactJson(objects)}`;
    const header = JSON.stringify({ key, sha256: sha256(body), yaml: yaml.length });
    writeFileSync(tmp, `${HEADER}${header}\n${body}`, { mode: 0o600 });
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
  const readOnly = opts.readOnly ?? false;
  if (!readOnly) mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const identity = kustomizeIdentity(opts.kustomize);
  const memory = createBuildCache().entries;
  const fullKey = (key: string) => `${identity}\0${key}`;
  const fileOf = (key: string) => join(opts.dir, `${sha256(fullKey(key))}.render`);
  const entries: BuildCache['entries'] = {
    get(key) {
      const kept = memory.get(key);
      if (kept) return kept;
      const file = fileOf(key);
      const entry = readEntry(file, fullKey(key), maxBytes);
      if (entry === null) return undefined;
      const { yaml, json } = entry;
      let result: BuildResult;
      try {
        const objects = json ? JSON.parse(json) : parseManifests(yaml, `kept render of ${key.split('\0')[0] || '.'}`);
        result = { objects, yaml };
      } catch {
        if (!readOnly) rmSync(file, { force: true });
        return undefined;
      }
      try {
        const now = new Date();
        if (!readOnly) utimesSync(file, now, now);
      } catch {
        // Pruned by another process meanwhile: the answer read is still right.
      }
      const pending = Promise.resolve(result);
      memory.set(key, pending);
      return pending;
    },
    set(key, value) {
      memory.set(key, value);
      if (readOnly) return entries;
      // Written as soon as the build is in (before its caller resumes), so no write outlives a run.
      value.then(
        (built) => {
          if (Buffer.byteLength(built.yaml) > maxBytes) return;
          writeEntry(opts.dir, fileOf(key), fullKey(key), built);
          prune(opts.dir, maxEntries, maxBytes);
        },
        () => undefined,
      );
      return entries;
    },
    delete(key) {
      const had = memory.delete(key);
      if (!readOnly) rmSync(fileOf(key), { force: true });
      return had;
    },
  };
  return { entries, stats: { builds: 0, hits: 0 } };
}
