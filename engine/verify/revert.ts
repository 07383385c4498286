/**
 * A revert's proof is re-checked against the real commits, not against what it says about them:
 * the merge commit's first parent, the files the merge changed, that none moved between the merge
 * and the revert's base, that every file the revert changes holds exactly its bytes at that parent
 * (a file the merge added: deleted, as it is absent there; no other file may be deleted),
 * and that the inverse it declares is the one rendered from the two commits.
 */
import { isDeepStrictEqual } from 'node:util';
import { REVERT_REMEDIATION } from '../actions/revert-remediation/index.ts';
import { revertParams } from '../actions/revert-remediation/params.ts';
import { asDeclared, RECORDS, renderedInverse, revertScope } from '../followup/revert/inverse.ts';
import type { FileChange } from '../model/index.ts';
import type { Proof } from '../model/policy.ts';
import { canonicalJson } from '../policy/index.ts';
import { openSnapshot, readFileText } from '../repo/index.ts';

export interface RevertProblem {
  file: string;
  reason: string;
}

const sorted = (xs: readonly string[]) => [...xs].sort();

export async function checkRevert(
  repoDir: string,
  id: string,
  proof: Proof,
  changes: readonly FileChange[],
): Promise<RevertProblem[]> {
  if (proof.input.action.id !== REVERT_REMEDIATION) return [];
  const at = `${RECORDS}${id}/proof.dsse.json`;
  let p: ReturnType<typeof revertParams>;
  try {
    p = revertParams(proof.input.action.params);
  } catch (err) {
    return [{ file: at, reason: (err as Error).message }];
  }
  const base = proof.subject.baseCommit;
  const scoped = await revertScope({ repoDir, baseCommit: base, baseBranch: 'the base commit' }, p.mergeCommit);
  if (scoped.kind === 'finding') return [{ file: at, reason: `revert of #${p.pull}: ${scoped.reason}` }];
  const { scope } = scoped;
  const problems: RevertProblem[] = [];
  if (scope.parentCommit !== p.parentCommit)
    problems.push({
      file: at,
      reason: `names parent ${p.parentCommit.slice(0, 12)}, the merge's first parent is ${scope.parentCommit.slice(0, 12)}`,
    });
  if (
    canonicalJson(sorted(scope.files)) !== canonicalJson(sorted(p.files)) ||
    canonicalJson(sorted(scope.added)) !== canonicalJson(sorted(p.added))
  )
    problems.push({
      file: at,
      reason: `names files ${p.files.join(', ')}, the merge changed ${scope.files.join(', ') || 'none'} (added ${scope.added.join(', ') || 'none'})`,
    });
  const parent = await openSnapshot(repoDir, scope.parentCommit);
  const restore = new Set([...scope.files, ...scope.added]);
  for (const change of changes) {
    if (change.path.startsWith(`${RECORDS}${id}/`)) continue;
    if (!restore.has(change.path)) {
      problems.push({
        file: change.path,
        reason: `revert-not-inverse: the merge of #${p.pull} did not change this file`,
      });
      continue;
    }
    if ((await readFileText(parent, change.path)) !== change.after)
      problems.push({
        file: change.path,
        reason:
          change.after === null
            ? `revert-not-inverse: deleted, but it was at ${scope.parentCommit.slice(0, 12)}, before the merge of #${p.pull}`
            : `revert-not-inverse: not its bytes at ${scope.parentCommit.slice(0, 12)}, before the merge of #${p.pull}`,
      });
  }
  const namespace = proof.subject.namespace ?? proof.input.target.namespace;
  const inverse = asDeclared(await renderedInverse(repoDir, scope, proof.subject.overlay, namespace));
  const declared = {
    fields: p.inverse.fields.map((f) => ({ ...f, after: f.after ?? null })),
    objects: p.inverse.objects,
  };
  if (!isDeepStrictEqual(JSON.parse(canonicalJson(inverse)), JSON.parse(canonicalJson(declared))))
    problems.push({
      file: proof.subject.overlay,
      reason: `revert-not-inverse: the declared inverse differs from the one rendered from ${p.mergeCommit.slice(0, 12)} and its parent`,
    });
  return problems;
}
