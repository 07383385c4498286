/**
 * Builds for a plan, both from the commit it plans on: the overlay as committed, and the "after"
 * side of a remediation (the commit plus the changed files, nothing written anywhere but the
 * build's own scratch copy of what kustomize reads). The user's checkout is never touched.
 */
import { createHash } from 'node:crypto';
import type { FileChange } from '../model/index.ts';
import { type BuildOptions, type BuildResult, buildOverlay, withChanges } from '../repo/index.ts';
import type { CommitMemo, PipelineContext } from './context.ts';

export function buildOptions(ctx: PipelineContext): BuildOptions {
  return {
    cache: ctx.builds,
    remoteHosts: ctx.config.kustomize.remoteHosts,
    ...(ctx.kustomize ? { kustomize: ctx.kustomize } : {}),
  };
}

/**
 * The commit's memo when what is built from it depends on the commit alone: with no remote host
 * allowed, no build fetches anything, and the same commit renders the same objects every time.
 */
export function commitOnly(ctx: PipelineContext): CommitMemo | undefined {
  return ctx.memo && ctx.config.kustomize.remoteHosts.length === 0 ? ctx.memo : undefined;
}

/**
 * The overlay at the base commit: from the longer-lived cache when the context has one, and once
 * per commit when it keeps a memo (the cache's key alone costs a parse of every kustomization).
 */
export function buildCommitted(ctx: PipelineContext, overlay: string): Promise<BuildResult> {
  const build = () =>
    buildOverlay(ctx.snapshot, overlay, { ...buildOptions(ctx), ...(ctx.renders ? { shared: ctx.renders } : {}) });
  const memo = commitOnly(ctx);
  return memo ? memo.once(`committed\0${overlay}`, build) : build();
}

/** The overlay at the base commit with `changes` applied. */
export async function buildChanged(
  ctx: PipelineContext,
  overlay: string,
  changes: readonly FileChange[],
): Promise<BuildResult> {
  const after = await withChanges(ctx.snapshot, changes);
  return buildOverlay(after, overlay, { ...buildOptions(ctx), scratchPrefix: 'salve-shadow-' });
}

/**
 * The overlay at the base commit with `changes` salve derives from that commit alone (what its
 * patches see: the kustomization without them), kept like a committed build, and once per commit
 * and changes when the context keeps a memo. A remediation's "after" is never kept across runs:
 * buildChanged.
 */
export function buildDerived(
  ctx: PipelineContext,
  overlay: string,
  changes: readonly FileChange[],
): Promise<BuildResult> {
  const build = async () => {
    const derived = await withChanges(ctx.snapshot, changes);
    return buildOverlay(derived, overlay, {
      ...buildOptions(ctx),
      ...(ctx.renders ? { shared: ctx.renders } : {}),
      scratchPrefix: 'salve-shadow-',
    });
  };
  const memo = commitOnly(ctx);
  if (!memo) return build();
  const digest = createHash('sha256')
    .update(JSON.stringify([overlay, changes]))
    .digest('hex');
  return memo.once(`derived\0${digest}`, build);
}
