/**
 * What reverting a merged remediation must do, from the real commits: the files the merge changed
 * or added (salve's own record under .salve/remediations/ aside), whether any moved since, and the rendered
 * inverse (the overlay built at the merge commit, then at its first parent). Nothing is guessed:
 * a file changed since the merge, or a history that does not hold the merge, is a finding.
 */
import { placeObjects } from '../../check/identity.ts';
import { renderedDiff } from '../../check/index.ts';
import type { RenderedDiff } from '../../model/index.ts';
import { counted } from '../../model/words.ts';
import type { PipelineContext } from '../../pipeline/context.ts';
import { type BuildOptions, buildOverlay, openSnapshot } from '../../repo/index.ts';
import { changedBetween, firstParent, isAncestor } from './git.ts';

export const RECORDS = '.salve/remediations/';

export interface RevertScope {
  mergeCommit: string;
  parentCommit: string;
  /** Restored to the parent's bytes (modified or deleted by the merge). */
  files: string[];
  /** Added by the merge: the revert deletes them. */
  added: string[];
}

export type Scoped = { kind: 'scope'; scope: RevertScope } | { kind: 'finding'; reason: string; files: string[] };

export async function revertScope(
  ctx: Pick<PipelineContext, 'repoDir' | 'baseCommit' | 'baseBranch'>,
  mergeCommit: string,
): Promise<Scoped> {
  const short = mergeCommit.slice(0, 12);
  const parent = await firstParent(ctx.repoDir, mergeCommit);
  if (!parent)
    return {
      kind: 'finding',
      reason: `merge commit ${short} (or its parent) is not in the config repo's history`,
      files: [],
    };
  if (!(await isAncestor(ctx.repoDir, mergeCommit, ctx.baseCommit)))
    return {
      kind: 'finding',
      reason: `merge commit ${short} is not on ${ctx.baseBranch} (${ctx.baseCommit.slice(0, 12)}): history was rewritten`,
      files: [],
    };
  const merged = (await changedBetween(ctx.repoDir, parent, mergeCommit)).filter((c) => !c.path.startsWith(RECORDS));
  const odd = merged.filter((c) => !['A', 'M', 'D'].includes(c.status));
  if (odd.length > 0)
    return {
      kind: 'finding',
      reason: `the merge changed the type of ${counted(odd.length, 'file')} (a link or submodule): salve reverts only file edits`,
      files: odd.map((c) => c.path),
    };
  if (merged.length === 0)
    return { kind: 'finding', reason: `merge commit ${short} changed no configuration file`, files: [] };
  const paths = new Set(merged.map((c) => c.path));
  const moved = (await changedBetween(ctx.repoDir, mergeCommit, ctx.baseCommit)).filter((c) => paths.has(c.path));
  if (moved.length > 0)
    return {
      kind: 'finding',
      reason: `${counted(moved.length, 'file')} the merge changed were changed again after it (${ctx.baseBranch} is at ${ctx.baseCommit.slice(0, 12)}): restoring their bytes at ${parent.slice(0, 12)} would undo those later edits too, so salve opens no revert and a human reverts by hand`,
      files: moved.map((c) => c.path),
    };
  return {
    kind: 'scope',
    scope: {
      mergeCommit,
      parentCommit: parent,
      files: merged.filter((c) => c.status !== 'A').map((c) => c.path),
      added: merged.filter((c) => c.status === 'A').map((c) => c.path),
    },
  };
}

/** The overlay rendered at the merge commit, then at its parent: the change the revert must make. */
export async function renderedInverse(
  repoDir: string,
  scope: Pick<RevertScope, 'mergeCommit' | 'parentCommit'>,
  overlay: string,
  namespace: string,
  opts: BuildOptions = {},
): Promise<RenderedDiff> {
  const [atMerge, atParent] = await Promise.all([
    openSnapshot(repoDir, scope.mergeCommit),
    openSnapshot(repoDir, scope.parentCommit),
  ]);
  const before = placeObjects((await buildOverlay(atMerge, overlay, opts)).objects, namespace);
  const after = placeObjects((await buildOverlay(atParent, overlay, opts)).objects, namespace);
  return renderedDiff(before, after);
}

/** A rendered diff as the effects a change declares. */
export function asDeclared(diff: RenderedDiff) {
  return {
    fields: diff.fields.map((f) => ({
      kind: f.kind,
      name: f.name,
      ...(f.namespace !== undefined ? { namespace: f.namespace } : {}),
      path: f.path,
      after: f.after ?? null,
    })),
    objects: diff.objects.map((o) => ({
      op: o.op,
      kind: o.kind,
      name: o.name,
      ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
    })),
  };
}
