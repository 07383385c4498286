/**
 * The history of one container's `image:` written in a manifest, read from git: first-parent, like
 * imageHistory, parsing the manifest's documents only at the commits where its blob changed.
 */
import * as fs from 'node:fs';
import git from 'isomorphic-git';
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import { ConfigError } from '../model/errors.ts';
import { blobAt } from './image-history.ts';

export interface ManifestRevision {
  /** The whole image string the manifest wrote (`repo:tag`, `repo@digest`). */
  image: string;
  /** The commit that introduced this value. */
  commit: string;
  /** Committer time of that commit, ISO 8601 UTC. */
  time: string;
}

/** Where the container is written: the workload's kind and name in the manifest, the container's name. */
export interface ManifestLocator {
  kind: string;
  name: string;
  container: string;
}

/** Documents per manifest at most (a generated file of thousands is not a release line). */
const MAX_DOCUMENTS = 1000;

/** The pod template of a workload document, as a YAML node path. */
const TEMPLATE_SPEC = ['spec', 'template', 'spec'];

/** Containers of the workload `kind`/`name` in one manifest's text whose container `container` has `image`. */
export function containerImageIn(
  text: string,
  target: { kind: string; name: (name: string) => boolean; container: string },
): Array<{ name: string; image: string; line: number }> {
  const lineCounter = new LineCounter();
  const out: Array<{ name: string; image: string; line: number }> = [];
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false });
  if (!Array.isArray(docs)) return out;
  for (const doc of docs.slice(0, MAX_DOCUMENTS)) {
    if (doc.errors.length > 0 || doc.get('kind') !== target.kind) continue;
    const name = doc.getIn(['metadata', 'name']);
    if (typeof name !== 'string' || !target.name(name)) continue;
    for (const list of ['containers', 'initContainers']) {
      const seq = doc.getIn([...TEMPLATE_SPEC, list], true);
      if (!isSeq(seq)) continue;
      for (const item of seq.items) {
        if (!isMap(item) || item.get('name') !== target.container) continue;
        const node = item.get('image', true);
        if (!isScalar(node) || typeof node.value !== 'string') continue;
        const line = node.range ? lineCounter.linePos(node.range[0]).line : 0;
        out.push({ name, image: node.value, line });
      }
    }
  }
  return out;
}

/** The image of a container of a document, by kind, name and container name; null when absent. */
export function imageInDocuments(text: string, at: { kind: string; name: string; container: string }): string | null {
  const hits = containerImageIn(text, { kind: at.kind, name: (n) => n === at.name, container: at.container });
  return hits.length === 1 ? (hits[0]?.image ?? null) : null;
}

/** A manifest larger than this at some commit is not read there. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

/**
 * Distinct successive images of the container in `file` along the first-parent history of `ref`
 * (default HEAD), newest first, each with the commit and time that introduced it. Walks at most
 * `depth` commits (default 500); a commit where the file is absent or the container not found ends a run.
 */
export async function manifestImageHistory(
  repoDir: string,
  file: string,
  at: ManifestLocator,
  opts: { ref?: string; depth?: number } = {},
): Promise<ManifestRevision[]> {
  const depth = opts.depth ?? 500;
  let oid: string;
  try {
    oid = await git.resolveRef({ fs, dir: repoDir, ref: opts.ref ?? 'HEAD' });
  } catch (err) {
    throw new ConfigError(`cannot read the history of ${file}: ref ${opts.ref ?? 'HEAD'} not found in ${repoDir}`, {
      cause: err,
    });
  }
  const runs: ManifestRevision[] = [];
  let lastBlob: string | null = null;
  let lastValue: string | null = null;
  for (let walked = 0; walked < depth; walked++) {
    const { commit } = await git.readCommit({ fs, dir: repoDir, oid });
    const blob = await blobAt(repoDir, oid, file);
    let value: string | null = null;
    if (blob !== null && blob.oid === lastBlob) value = lastValue;
    else if (blob !== null && blob.text.length <= MAX_MANIFEST_BYTES) value = imageInDocuments(blob.text, at);
    lastBlob = blob?.oid ?? null;
    const time = new Date(commit.committer.timestamp * 1000).toISOString();
    const current = runs[runs.length - 1];
    if (value !== null && current && current.image === value && lastValue === value) {
      current.commit = oid;
      current.time = time;
    } else if (value !== null) runs.push({ image: value, commit: oid, time });
    lastValue = value;
    const parent = commit.parent[0];
    if (!parent) break;
    oid = parent;
  }
  return runs;
}
