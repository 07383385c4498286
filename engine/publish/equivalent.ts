/**
 * "Nothing new": a rerun that would only restamp the proof leaves the branch as it is. The proof
 * records when it was made and the clock facts of the decision (time, weekday, hour, release age);
 * when everything else in it is equal — the change, the incident, the settings, the decision and
 * every rule that fired — the branch's own proof stands, and so does its commit.
 */
import fs from 'node:fs';
import git from 'isomorphic-git';
import type { FileChange } from '../model/index.ts';
import type { PublishRequest } from '../model/remediation.ts';
import { canonicalJson } from '../policy/digest.ts';
import { applyChanges } from './tree.ts';

const CLOCK_FIELDS: readonly (readonly string[])[] = [
  ['createdAt'],
  ['input', 'time'],
  ['input', 'release', 'ageSeconds'],
  ['input', 'release', 'age'],
];

function withoutClock(text: string): string | null {
  let proof: Record<string, unknown>;
  try {
    proof = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
  for (const path of CLOCK_FIELDS) {
    let node: Record<string, unknown> | undefined = proof;
    for (const key of path.slice(0, -1)) node = node?.[key] as Record<string, unknown> | undefined;
    if (node && typeof node === 'object') delete node[path.at(-1) as string];
  }
  return canonicalJson(proof);
}

async function blobAt(gitdir: string, commit: string, path: string): Promise<string | null> {
  try {
    const { blob } = await git.readBlob({ fs, gitdir, oid: commit, filepath: path });
    return Buffer.from(blob).toString('utf8');
  } catch {
    return null;
  }
}

/**
 * True when `existing` (a salve commit) holds what `req` would write, up to the proof's clock: same
 * base, and the same tree once the branch's own proof files stand in for the new ones.
 */
export async function sameRemediation(
  gitdir: string,
  existing: string,
  req: PublishRequest,
  tree: string,
): Promise<boolean> {
  const { commit } = await git.readCommit({ fs, gitdir, oid: existing });
  if (commit.parent.length !== 1 || commit.parent[0] !== req.baseCommit) return false;
  if (commit.tree === tree) return true;
  const dir = `.salve/remediations/${req.id}`;
  const proof = req.files.find((f) => f.path === `${dir}/proof.json`);
  const envelope = req.files.find((f) => f.path === `${dir}/proof.dsse.json`);
  if (!proof || proof.after === null) return false;
  const [oldProof, oldEnvelope] = await Promise.all([
    blobAt(gitdir, existing, proof.path),
    envelope ? blobAt(gitdir, existing, envelope.path) : null,
  ]);
  if (oldProof === null || withoutClock(oldProof) === null || withoutClock(oldProof) !== withoutClock(proof.after))
    return false;
  if (envelope && oldEnvelope === null) return false;
  const reused: FileChange[] = req.files.map((f) =>
    f === proof ? { ...f, after: oldProof } : f === envelope ? { ...f, after: oldEnvelope as string } : f,
  );
  return (await applyChanges(gitdir, req.baseCommit, reused, { commit: true })) === commit.tree;
}
