/**
 * The config repo at one commit, read from git objects and never from a working tree: what `plan`
 * and the App read `.salve.yaml`, policies, templates, Applications and overlays from, so an
 * uncommitted edit (or a checkout isomorphic-git filled with committed symbolic links) cannot leak
 * into a proof. One `git ls-tree` lists the commit (with sizes, so nothing oversized is ever
 * read); one `git cat-file --batch` process per snapshot reads the blobs asked for (cat-file.ts).
 */
import { ConfigError, InputError } from '../model/errors.ts';
import { locateGit, runToolRaw, type Tool } from '../tools/index.ts';
import type { BlobSizes } from './blob-sizes.ts';
import { openBlobReader } from './cat-file.ts';
import { isCleanPath, parentOf } from './paths.ts';
import type { RawEntry, RepoTree } from './tree.ts';
import type { WordHits } from './word-hits.ts';

export interface Snapshot extends RepoTree {
  readonly repoDir: string;
  readonly commit: string;
  /** Every path looked up (found or not) and every directory listed: what a plan read. */
  readonly lookedUp: ReadonlySet<string>;
  readonly listed: ReadonlySet<string>;
  /** Reads up front, in one go, what a plan with nothing kept would read file by file (prefetched()). */
  prefetch(): Promise<void>;
  /**
   * The same commit read from another clone of the repository (`repoDir` must hold the commit):
   * the listing and the blobs read so far are shared, as a commit id names its content; what is
   * looked up and listed is counted afresh.
   */
  rebind(repoDir: string): Snapshot;
  /** Ends the snapshot's git process (an idle one ends by itself); reading again starts another. */
  close(): void;
}

interface Entry {
  type: 'file' | 'dir' | 'link' | 'other';
  oid: string;
  size: number;
}

/** Blobs kept in memory for the snapshot's lifetime (kustomizations are read again for the "after" build). */
const CACHE_BYTES = 64 * 1024 * 1024;
/** A repo whose files hold less than this is read whole, in one git process, when the snapshot opens. */
const PREFETCH_BYTES = 4 * 1024 * 1024;
const KUSTOMIZATIONS = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/**
 * What to read up front, in one `git cat-file`: every file of a small repo, else every kustomization
 * (what each build walks first). Reading them one process at a time cost more than the builds.
 */
function prefetched(entries: Map<string, Entry>): string[] {
  const files = [...entries].filter(([, e]) => e.type === 'file' || e.type === 'link');
  if (files.reduce((n, [, e]) => n + e.size, 0) <= PREFETCH_BYTES) return files.map(([, e]) => e.oid);
  const kustomizations = files.filter(([path]) => KUSTOMIZATIONS.has(path.slice(path.lastIndexOf('/') + 1)));
  const oids: string[] = [];
  let budget = PREFETCH_BYTES;
  for (const [, e] of kustomizations) {
    budget -= e.size;
    if (budget < 0) break;
    oids.push(e.oid);
  }
  return oids;
}

function typeOf(mode: string): Entry['type'] {
  if (mode === '040000') return 'dir';
  if (mode === '120000') return 'link';
  if (mode === '100644' || mode === '100755') return 'file';
  return 'other'; // submodules
}

/** `<mode> <type> <oid> <size>\t<path>\0` records of `git ls-tree -r -t -l -z` (without `-l`, sizes are filled in after). */
function parseListing(out: Buffer): { entries: Map<string, Entry>; children: Map<string, string[]> } {
  const entries = new Map<string, Entry>();
  const children = new Map<string, string[]>([['', []]]);
  for (const record of out.toString('utf8').split('\0')) {
    const tab = record.indexOf('\t');
    if (tab < 0) continue;
    const [mode = '', , oid = '', size = '-'] = record.slice(0, tab).split(/ +/);
    const path = record.slice(tab + 1);
    // git itself refuses to check such names out; they are no part of the tree salve reads.
    if (!isCleanPath(path)) continue;
    const type = typeOf(mode);
    entries.set(path, { type, oid, size: size === '-' || type === 'dir' ? 0 : Number(size) });
    if (type === 'dir' && !children.has(path)) children.set(path, []);
    const parent = parentOf(path);
    const list = children.get(parent) ?? [];
    list.push(path.slice(parent ? parent.length + 1 : 0));
    children.set(parent, list);
  }
  return { entries, children };
}

/**
 * Sizes of the listing's blobs from those kept, and for the rest from one `git cat-file --batch-check`
 * (`<oid> <type> <size>` lines); a blob git cannot size is taken as infinite, which every size check refuses.
 */
async function fillSizes(
  entries: Map<string, Entry>,
  kept: BlobSizes,
  check: (input: string) => Promise<{ stdout: Buffer }>,
): Promise<void> {
  const unknown = new Set<string>();
  // Submodules (`other`) name a commit of another repository: size 0, as `ls-tree -l` lists them.
  const blob = (e: Entry) => e.type === 'file' || e.type === 'link';
  for (const e of entries.values()) {
    if (!blob(e)) continue;
    const size = kept.get(e.oid);
    if (size === undefined) unknown.add(e.oid);
    else e.size = size;
  }
  if (unknown.size === 0) return;
  const { stdout } = await check(`${[...unknown].join('\n')}\n`);
  for (const line of stdout.toString('latin1').split('\n')) {
    const [oid = '', type = '', size = ''] = line.split(' ');
    if (unknown.has(oid) && /^\d+$/.test(size) && type !== 'missing') kept.set(oid, Number(size));
  }
  for (const e of entries.values())
    if (blob(e) && unknown.has(e.oid)) e.size = kept.get(e.oid) ?? Number.POSITIVE_INFINITY;
}

/** Fewer blobs than this not yet searched for some words are read and searched here, not by `git grep`. */
const FEW_BLOBS = 256;

const GIT_ENV = { GIT_NO_REPLACE_OBJECTS: '1', GIT_CONFIG_NOSYSTEM: '1', GIT_OPTIONAL_LOCKS: '0' };

/**
 * `hits` keeps what searches found across runs (word-hits.ts). `prefetch: false` leaves the up-front read to `prefetch()`: a plan that kept what it learnt of the
 * commit reads a handful of files, not all of a large repo's.
 */
export async function openSnapshot(
  repoDir: string,
  commit: string,
  options: { git?: Tool; prefetch?: boolean; hits?: WordHits; sizes?: BlobSizes } = {},
): Promise<Snapshot> {
  const git = options.git ?? locateGit();
  const base = ['-C', repoDir, '-c', 'core.quotePath=false'];
  const env = GIT_ENV;
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) throw new InputError(`not a commit id: ${commit}`);
  let listing: Buffer;
  try {
    const sized = options.sizes ? [] : ['-l'];
    ({ stdout: listing } = await runToolRaw(
      git,
      [...base, 'ls-tree', '-r', '-t', ...sized, '-z', '--full-tree', commit],
      {
        env,
        label: 'git ls-tree',
      },
    ));
  } catch (err) {
    throw new InputError(`cannot list commit ${commit.slice(0, 12)} of ${repoDir}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const { entries, children } = parseListing(listing);
  if (options.sizes)
    await fillSizes(entries, options.sizes, (input) =>
      runToolRaw(git, [...base, 'cat-file', '--batch-check'], { env, label: 'git cat-file', input }),
    );
  const state: State = {
    commit,
    listing,
    entries,
    children,
    sizes: new Map([...entries.values()].map((e) => [e.oid, e.size])),
    cache: new Map(),
    cached: 0,
    fetched: null,
    ...(options.hits ? { hits: options.hits } : {}),
  };
  const snapshot = view(repoDir, state, git);
  if (options.prefetch !== false) await snapshot.prefetch();
  return snapshot;
}

/** What a commit's snapshots share, whichever clone they read from. */
interface State {
  commit: string;
  listing: Buffer;
  entries: Map<string, Entry>;
  children: Map<string, string[]>;
  sizes: Map<string, number>;
  cache: Map<string, Buffer>;
  cached: number;
  fetched: Promise<unknown> | null;
  files?: Array<{ path: string; size: number }>;
  /** What searches found across runs (word-hits.ts), when the caller keeps it. */
  hits?: WordHits;
}

function view(repoDir: string, state: State, git: Tool): Snapshot {
  const { commit, listing, entries, children, sizes, cache } = state;
  const base = ['-C', repoDir, '-c', 'core.quotePath=false'];
  const env = GIT_ENV;
  const lookedUp = new Set<string>();
  const listed = new Set<string>();
  const where = `commit ${commit.slice(0, 12)}`;
  const reader = openBlobReader(git, [...base, 'cat-file', '--batch'], env, `${where} of ${repoDir}`);

  async function blobs(oids: readonly string[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    const wanted: string[] = [];
    for (const oid of new Set(oids)) {
      const hit = cache.get(oid);
      if (hit) out.set(oid, hit);
      else wanted.push(oid);
    }
    if (wanted.length > 0) {
      const size = wanted.reduce((n, o) => n + (sizes.get(o) ?? 0) + 64, 0);
      for (const [oid, own] of await reader.read(wanted, size + 1024)) {
        out.set(oid, own);
        if (state.cached + own.length <= CACHE_BYTES) {
          cache.set(oid, own);
          state.cached += own.length;
        }
      }
    }
    for (const oid of oids) {
      if (!out.has(oid)) {
        throw new ConfigError(`${where} of ${repoDir}: object ${oid} is missing`, { code: 'git-object-missing' });
      }
    }
    return out;
  }

  /** Paths of the commit whose blobs hold one of `words`, by one `git grep`; null when it fails. */
  async function grep(words: readonly string[]): Promise<Set<string> | null> {
    if (words.length === 0) return new Set();
    const patterns = words.flatMap((w) => ['-e', w]);
    const prefix = `${commit}:`;
    try {
      const { stdout, code } = await runToolRaw(
        git,
        [...base, 'grep', '-l', '-z', '-F', '--no-color', ...patterns, commit, '--'],
        { env, label: 'git grep', allowFailure: true, limits: { outputBytes: listing.length + 1024 } },
      );
      // 1: nothing matched; anything else but 0 is a failure, and the caller reads every file.
      if (code !== 0 && code !== 1) return null;
      const out = new Set<string>();
      for (const name of stdout.toString('utf8').split('\0'))
        if (name.startsWith(prefix)) out.add(name.slice(prefix.length));
      return out;
    } catch {
      return null;
    }
  }

  /** mayContain with what earlier searches found: only blobs not seen before are searched. */
  async function searchKept(paths: readonly string[], words: readonly string[], kept: WordHits): Promise<string[]> {
    const hits = kept.forWords(words);
    const unknown = new Set<string>();
    for (const p of paths) {
      const e = entries.get(p);
      if (e?.type === 'file' && hits.get(e.oid) === undefined) unknown.add(e.oid);
    }
    if (unknown.size > FEW_BLOBS) {
      const found = await grep(words);
      if (found) for (const [p, e] of entries) if (e.type === 'file') hits.set(e.oid, found.has(p));
    } else if (unknown.size > 0) {
      const needles = words.map((w) => Buffer.from(w, 'utf8'));
      for (const [oid, bytes] of await blobs([...unknown]))
        hits.set(
          oid,
          needles.some((n) => bytes.includes(n)),
        );
    }
    // A link is searched as its target; anything not known (a failed search) may hold them.
    return paths.filter((p) => {
      const e = entries.get(p);
      return e?.type !== 'file' || hits.get(e.oid) !== false;
    });
  }

  const prefetch = async () => {
    state.fetched ??= blobs(prefetched(entries));
    const fetching = state.fetched;
    // A failed read (a clone gone) is tried again by the next snapshot of the commit.
    await fetching.catch((err: unknown) => {
      if (state.fetched === fetching) state.fetched = null;
      throw err;
    });
  };
  return {
    repoDir,
    commit,
    where,
    lookedUp,
    listed,
    prefetch,
    rebind: (dir) => view(dir, state, git),
    close: () => reader.close(),
    async lstat(path): Promise<RawEntry | null> {
      lookedUp.add(path);
      if (path === '') return { type: 'dir', size: 0 };
      const entry = entries.get(path);
      return entry ? { type: entry.type, size: entry.size } : null;
    },
    async readLink(path) {
      const entry = entries.get(path);
      if (entry?.type !== 'link') return null;
      return (await blobs([entry.oid])).get(entry.oid)?.toString('utf8') ?? null;
    },
    async children(path) {
      listed.add(path);
      return [...(children.get(path) ?? [])];
    },
    async readResolved(paths) {
      const oids = paths.map((p) => {
        const entry = entries.get(p);
        if (entry?.type !== 'file') throw new ConfigError(`${p} is not a file in ${where}`, { code: 'not-a-file' });
        return entry.oid;
      });
      const bytes = await blobs(oids);
      return new Map(paths.map((p, i) => [p, bytes.get(oids[i] as string) as Buffer]));
    },
    async mayContain(paths, words) {
      for (const p of paths) lookedUp.add(p);
      if (state.hits) return searchKept(paths, words, state.hits);
      const found = await grep(words);
      return found ? paths.filter((p) => entries.get(p)?.type === 'link' || found.has(p)) : [...paths];
    },
    async contentId(path) {
      return entries.get(path)?.oid ?? '';
    },
    async files() {
      // Listed once: discovery, the Applications' digest and the delivery search all ask.
      state.files ??= [...entries]
        .filter(([, e]) => e.type === 'file' || e.type === 'link')
        .map(([path, e]) => ({ path, size: e.size }))
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      return state.files.map((f) => ({ ...f }));
    },
  };
}
