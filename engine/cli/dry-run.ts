/**
 * What `salve plan --dry-run` shows besides the decision: the pull request, the diff of the files
 * the change edits, and the diff of `kustomize build` of the overlay before and after. Reads only:
 * both builds read the commit the plan was made on (the "after" with the change laid over it), in
 * scratch copies; the checkout is never touched.
 */

import { unifiedDiff } from '../explain/unified-diff.ts';
import type { Remediation } from '../model/remediation.ts';
import type { Outcome } from '../pipeline/run.ts';
import { type BuildCache, buildOverlay, openSnapshot, withChanges } from '../repo/index.ts';
import type { Tool } from '../tools/index.ts';

export interface DryRunView {
  pullRequest: { title: string; body: string; labels: string[] } | null;
  /** Unified diff of the overlay files the change edits (the remediation record files are listed, not shown). */
  fileDiff: string;
  records: string[];
  /** Unified diff of the rendered overlay, before and after. */
  renderedDiff: string;
  /** What `salve plan` without --dry-run would do. */
  wouldWrite: string;
}

/** The plan's own builds, so the diff shown is of the builds it judged, not two more kustomize runs. */
export interface PlanBuilds {
  builds: BuildCache;
  renders?: BuildCache;
  kustomize?: Tool;
}

async function renderedDiff(repoDir: string, rem: Remediation, from: PlanBuilds): Promise<string> {
  const base = await openSnapshot(repoDir, rem.baseCommit);
  const tool = from.kustomize ? { kustomize: from.kustomize } : {};
  const before = await buildOverlay(base, rem.overlay, {
    ...tool,
    cache: from.builds,
    ...(from.renders ? { shared: from.renders } : {}),
  });
  const after = await buildOverlay(await withChanges(base, rem.files), rem.overlay, {
    ...tool,
    cache: from.builds,
    scratchPrefix: 'salve-shadow-',
  });
  const label = `kustomize build ${rem.overlay || '.'}`;
  const diff = unifiedDiff({ path: label, before: before.yaml, after: after.yaml });
  return diff.replace(
    /^--- a\/.*\n\+\+\+ b\/.*\n/,
    `--- ${label} (base ${rem.baseCommit.slice(0, 12)})\n+++ ${label} (with the change)\n`,
  );
}

export async function dryRunView(outcome: Outcome, repoDir: string, from: PlanBuilds): Promise<DryRunView | null> {
  const r = outcome.result;
  if (r.kind === 'none' || r.kind === 'drift') return null;
  const rem = r.remediation;
  const records = r.kind === 'publish' ? r.request.files.filter((f) => !rem.files.includes(f)).map((f) => f.path) : [];
  const wouldWrite =
    r.kind === 'publish'
      ? `commit branch ${r.request.branch} on ${rem.baseCommit.slice(0, 12)} (${r.request.files.length} files) and push it`
      : r.kind === 'observe'
        ? `record the observation under .git/salve/observations/${rem.id}.md; no branch`
        : 'nothing: policy denies it';
  return {
    pullRequest: r.kind === 'publish' ? r.request.pr : null,
    fileDiff: rem.files.map((f) => unifiedDiff(f)).join(''),
    records,
    renderedDiff: await renderedDiff(repoDir, rem, from),
    wouldWrite,
  };
}
