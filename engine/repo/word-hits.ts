/**
 * Which blobs hold one of a list of words, kept across runs and commits: a blob id names its bytes,
 * so what `git grep` said of a blob holds in every commit that has it. A plan on a commit one change
 * on then searches the few blobs it has not seen, in-process, instead of every file of the repo.
 * One file per list of words, checked on read, written atomically, dropped when it grows past
 * MAX_BLOBS; a failure to keep it is a slower next run, never a failed one.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { keepJson } from './keep-json.ts';

const MAX_BLOBS = 200_000;
const MAX_BYTES = 32 * 1024 * 1024;
const OID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** For one list of words: per blob id, whether it holds one of them (undefined: not known yet). */
export interface Hits {
  get(oid: string): boolean | undefined;
  set(oid: string, holds: boolean): void;
}

export interface WordHits {
  forWords(words: readonly string[]): Hits;
  /** Writes the lists that learnt something. */
  save(): void;
}

interface Stored {
  version: 1;
  words: string[];
  yes: string[];
  no: string[];
}

function isStored(v: unknown, words: readonly string[]): v is Stored {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  const oids = (l: unknown) => Array.isArray(l) && l.every((o) => typeof o === 'string' && OID.test(o));
  return (
    s.version === 1 && Array.isArray(s.words) && s.words.join('\0') === words.join('\0') && oids(s.yes) && oids(s.no)
  );
}

function load(file: string, words: readonly string[]): Map<string, boolean> {
  try {
    if (statSync(file).size > MAX_BYTES) return new Map();
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!isStored(parsed, words)) return new Map();
    return new Map([...parsed.yes.map((o) => [o, true] as const), ...parsed.no.map((o) => [o, false] as const)]);
  } catch {
    return new Map();
  }
}

export function openWordHits(indexDir: string): WordHits {
  const dir = join(indexDir, 'hits');
  const lists = new Map<string, { words: string[]; file: string; known: Map<string, boolean>; dirty: boolean }>();
  return {
    forWords(words) {
      const key = createHash('sha256').update(words.join('\0')).digest('hex');
      let list = lists.get(key);
      if (!list) {
        const file = join(dir, `${key}.json`);
        list = { words: [...words], file, known: load(file, words), dirty: false };
        lists.set(key, list);
      }
      const own = list;
      return {
        get: (oid) => own.known.get(oid),
        set(oid, holds) {
          if (own.known.get(oid) === holds || !OID.test(oid)) return;
          own.known.set(oid, holds);
          own.dirty = true;
        },
      };
    },
    save() {
      for (const list of lists.values()) {
        if (!list.dirty) continue;
        const entries = list.known.size > MAX_BLOBS ? [] : [...list.known];
        const body: Stored = {
          version: 1,
          words: list.words,
          yes: entries.filter(([, h]) => h).map(([o]) => o),
          no: entries.filter(([, h]) => !h).map(([o]) => o),
        };
        if (keepJson(dir, list.file, body)) list.dirty = false;
      }
    },
  };
}
