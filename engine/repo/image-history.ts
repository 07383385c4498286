/** The history of one image's tag (or digest) in a kustomization, read from git. */
import * as fs from 'node:fs';
import git from 'isomorphic-git';
import { parse } from 'yaml';
import { ConfigError } from '../model/errors.ts';
import { MAX_ALIAS_COUNT } from './bounded-yaml.ts';

export interface ImageRevision {
  /** `newTag`, or `digest` when the entry pins one. */
  tag: string;
  /** Which of the two the entry set: a rollback writes the same field back. */
  field: 'newTag' | 'digest';
  /** The commit that introduced this value. */
  commit: string;
  /** Committer time of that commit, ISO 8601 UTC. */
  time: string;
}

/** A kustomization larger than this at some commit is not read (it holds no images: entry a human wrote). */
const MAX_KUSTOMIZATION_BYTES = 1024 * 1024;

type Pinned = { field: 'newTag' | 'digest'; value: string };

function imageValue(yaml: string, imageName: string): Pinned | null {
  if (yaml.length > MAX_KUSTOMIZATION_BYTES) return null;
  let doc: unknown;
  try {
    doc = parse(yaml, { maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    return null;
  }
  const images = (doc as { images?: unknown } | null)?.images;
  if (!Array.isArray(images)) return null;
  const entry = images.find(
    (i) => typeof i === 'object' && i !== null && (i as { name?: unknown }).name === imageName,
  ) as { newTag?: unknown; digest?: unknown } | undefined;
  if (entry?.digest !== undefined && entry.digest !== null) return { field: 'digest', value: String(entry.digest) };
  if (entry?.newTag !== undefined && entry.newTag !== null) return { field: 'newTag', value: String(entry.newTag) };
  return null;
}

/** The blob of `filepath` at commit `oid`; null when the commit has no such file. */
export async function blobAt(
  dir: string,
  oid: string,
  filepath: string,
): Promise<{ oid: string; text: string } | null> {
  try {
    const { oid: blob, blob: bytes } = await git.readBlob({ fs, dir, oid, filepath });
    return { oid: blob, text: Buffer.from(bytes).toString('utf8') };
  } catch (err) {
    if ((err as { code?: string }).code === 'NotFoundError') return null;
    throw err;
  }
}

/**
 * Distinct successive values of the `images:` entry named `imageName` in `file` along the first-parent
 * history of `ref` (default HEAD), newest first, each with the commit and time that introduced it.
 * Walks at most `depth` commits (default 500); a value older than that shows its oldest commit seen.
 */
export async function imageHistory(
  repoDir: string,
  file: string,
  imageName: string,
  opts: { ref?: string; depth?: number } = {},
): Promise<ImageRevision[]> {
  const depth = opts.depth ?? 500;
  let oid: string;
  try {
    oid = await git.resolveRef({ fs, dir: repoDir, ref: opts.ref ?? 'HEAD' });
  } catch (err) {
    throw new ConfigError(`cannot read the history of ${file}: ref ${opts.ref ?? 'HEAD'} not found in ${repoDir}`, {
      cause: err,
    });
  }
  const runs: ImageRevision[] = [];
  let lastBlob: string | null = null;
  let lastValue: Pinned | null = null;
  for (let walked = 0; walked < depth; walked++) {
    const { commit } = await git.readCommit({ fs, dir: repoDir, oid });
    const blob = await blobAt(repoDir, oid, file);
    const value: Pinned | null =
      blob === null ? null : blob.oid === lastBlob ? lastValue : imageValue(blob.text, imageName);
    lastBlob = blob?.oid ?? null;
    const time = new Date(commit.committer.timestamp * 1000).toISOString();
    const current = runs[runs.length - 1];
    const same = (a: Pinned | null) =>
      a !== null && value !== null && a.field === value.field && a.value === value.value;
    if (value !== null && current && same({ field: current.field, value: current.tag }) && same(lastValue)) {
      current.commit = oid;
      current.time = time;
    } else if (value !== null) runs.push({ tag: value.value, field: value.field, commit: oid, time });
    lastValue = value;
    const parent = commit.parent[0];
    if (!parent) break;
    oid = parent;
  }
  return runs;
}
