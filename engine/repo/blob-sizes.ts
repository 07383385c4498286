/**
 * Blob sizes kept across runs, by blob id (a blob id names its bytes, so its size never changes):
 * a snapshot then lists a commit without sizes (`git ls-tree` without `-l`, which on a repo of
 * loose objects opens every one of them) and asks `git cat-file --batch-check` only for the blobs
 * it has not seen. Kept in one file in the commit index's directory, checked on read, written
 * atomically, started afresh past MAX_BLOBS; a failure to keep it is a slower next run.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { keepJson } from './keep-json.ts';

const MAX_BLOBS = 500_000;
const MAX_BYTES = 64 * 1024 * 1024;
const OID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

export interface BlobSizes {
  get(oid: string): number | undefined;
  set(oid: string, size: number): void;
  /** Writes what was learnt (nothing when nothing is new). */
  save(): void;
}

function load(file: string): Map<string, number> {
  try {
    if (statSync(file).size > MAX_BYTES) return new Map();
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return new Map();
    const { version, sizes } = parsed as { version?: unknown; sizes?: unknown };
    if (version !== 1 || typeof sizes !== 'object' || sizes === null) return new Map();
    const out = new Map<string, number>();
    for (const [oid, size] of Object.entries(sizes)) {
      if (!OID.test(oid) || !Number.isSafeInteger(size) || (size as number) < 0) return new Map();
      out.set(oid, size as number);
    }
    return out;
  } catch {
    return new Map();
  }
}

export function openBlobSizes(indexDir: string): BlobSizes {
  const dir = join(indexDir, 'sizes');
  const file = join(dir, 'blobs.json');
  let known: Map<string, number> | null = null;
  let dirty = false;
  const all = () => {
    known ??= load(file);
    return known;
  };
  return {
    get: (oid) => all().get(oid),
    set(oid, size) {
      if (!OID.test(oid) || !Number.isSafeInteger(size) || size < 0 || all().get(oid) === size) return;
      all().set(oid, size);
      dirty = true;
    },
    save() {
      if (!dirty || !known) return;
      const entries = known.size > MAX_BLOBS ? [] : [...known];
      if (keepJson(dir, file, { version: 1, sizes: Object.fromEntries(entries) })) dirty = false;
    },
  };
}
