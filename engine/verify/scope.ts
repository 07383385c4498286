/**
 * A remediation change carries its remediations and nothing else. A file it changes is covered
 * only when a verified proof signs it (or is that proof's own file). A file nothing covers is named,
 * and blamed on the remediation that signed it when there is one: changed after that remediation
 * was signed, or in a remediation whose proof was never signed in this change.
 */
import { REMEDIATIONS_DIR } from '../publish/read.ts';
import { changedPaths, firstChange } from './history.ts';

export interface ScopeProblem {
  file: string;
  reason: string;
  /** The remediation the problem belongs to, when the file belongs to one. */
  remediation?: string;
}

export interface CheckedRemediation {
  id: string;
  /** Passed verification. */
  ok: boolean;
  /** Paths its verified proof signs, the proof's own two files included; empty when not verified. */
  covers: readonly string[];
  /** The change deletes its record. */
  removed?: boolean;
}

interface Signed {
  id: string;
  commit: string;
  /** Files the signing commit changed. */
  signedWith: Set<string>;
  /** Files changed between the signing commit and the head. */
  after: Set<string>;
}

async function signedBy(dir: string, head: string, mergeBase: string, id: string): Promise<Signed | null> {
  const change = await firstChange(dir, head, mergeBase, `${REMEDIATIONS_DIR}/${id}/proof.dsse.json`);
  if (!change) return null;
  return {
    id,
    commit: change.commit,
    signedWith: new Set(await changedPaths(dir, change.parent, change.commit)),
    after: new Set(await changedPaths(dir, change.commit, head)),
  };
}

export async function checkScope(args: {
  dir: string;
  head: string;
  mergeBase: string;
  prFiles: readonly string[];
  remediations: readonly CheckedRemediation[];
  /** salve's own configuration (policy, trust, templates): named as such when nothing covers it. */
  isOwnConfiguration: (path: string) => boolean;
}): Promise<ScopeProblem[]> {
  const covered = new Set(args.remediations.filter((r) => r.ok).flatMap((r) => r.covers));
  const signed: Signed[] = [];
  for (const r of args.remediations) {
    const s = await signedBy(args.dir, args.head, args.mergeBase, r.id);
    if (s) signed.push(s);
  }
  const ok = new Set(args.remediations.filter((r) => r.ok).map((r) => r.id));
  const problems: ScopeProblem[] = [];
  for (const file of args.prFiles) {
    if (covered.has(file)) continue;
    const ownerOf = args.remediations.find((r) => file.startsWith(`${REMEDIATIONS_DIR}/${r.id}/`));
    const owner = ownerOf?.id;
    const signer = signed.find((s) => (owner ? s.id === owner : s.signedWith.has(file)));
    if (ownerOf?.removed) {
      problems.push({
        file,
        remediation: ownerOf.id,
        reason: `deleted by this pull request: the record of ${ownerOf.id} is its audit trail, and no proof signs its removal`,
      });
    } else if (owner && !signer) {
      problems.push({
        file,
        remediation: owner,
        reason: `changed by this pull request, but the proof of ${owner} was not signed in it`,
      });
    } else if (!signer) {
      const own = args.isOwnConfiguration(file)
        ? ': it is policy or trust configuration, which remediations are verified against as of the base commit; change it in a pull request of its own'
        : '';
      problems.push({ file, reason: `changed by this pull request outside any signed remediation${own}` });
    } else if (signer.after.has(file)) {
      problems.push({
        file,
        remediation: signer.id,
        reason: `changed after ${signer.id} was signed in commit ${signer.commit.slice(0, 12)}: not covered by its proof`,
      });
    } else if (ok.has(signer.id)) {
      problems.push({ file, remediation: signer.id, reason: `not covered by the proof of ${signer.id}` });
    }
    // Otherwise it came with the signing commit of a remediation that failed: its verdict says why.
  }
  return problems;
}
