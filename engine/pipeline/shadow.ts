/**
 * Builds for a plan, both from the commit it plans on: the overlay as committed, and the "after"
 * side of a remediation (the commit plus the changed files, nothing written anywhere but the
 * build's own scratch copy of what kustomize reads). The user's checkout is never touched.
 */
import type { FileChange } from '../model/index.ts';
import { type BuildOptions, type BuildResult, buildOverlay, withChanges } from '../repo/index.ts';
import type { PipelineContext } from './context.ts';

export function buildOptions(ctx: PipelineContext): BuildOptions {
  return {
    cache: ctx.builds,
    remoteHosts: ctx.config.kustomize.remoteHosts,
    ...(ctx.kustomize ? { kustomize: ctx.kustomize } : {}),
  };
}

/** The overlay at the base commit: from the longer-lived cache when the context has one. */
export function buildCommitted(ctx: PipelineContext, overlay: string): Promise<BuildResult> {
  return buildOverlay(ctx.snapshot, overlay, { ...buildOptions(ctx), ...(ctx.renders ? { shared: ctx.renders } : {}) });
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
 * patches see: the kustomization without them), kept like a committed build. A remediation's
 * "after" is never kept across runs: buildChanged.
 */
export async function buildDerived(
  ctx: PipelineContext,
  overlay: string,
  changes: readonly FileChange[],
): Promise<BuildResult> {
  const derived = await withChanges(ctx.snapshot, changes);
  return buildOverlay(derived, overlay, {
    ...buildOptions(ctx),
    ...(ctx.renders ? { shared: ctx.renders } : {}),
    scratchPrefix: 'salve-shadow-',
  });
}
