/**
 * The progressive-delivery controller that carried the change, read as it reports itself: the
 * Argo Rollout of the workload (its own, or one whose `workloadRef` names the Deployment), its
 * AnalysisRuns created since the merge, and a Flagger Canary targeting the workload. A blue/green
 * release reads the same way: paused for promotion is not done (the fix is not active yet), an
 * abort or a failed pre- or post-promotion AnalysisRun is a failure, each named as such.
 */
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { ARGO_GROUP, ARGO_VERSION } from '../cluster/argo/sources.ts';
import type { Target } from '../model/index.ts';
import type { CanaryView } from './types.ts';

type Json = Record<string, unknown>;
const rec = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const items = (l: unknown): Json[] => ((rec(l).items as unknown[] | undefined) ?? []).map(rec);
const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 300) : '');

async function list(custom: CustomObjectsApi, group: string, version: string, plural: string, ns: string) {
  return items(await custom.listNamespacedCustomObject({ group, version, plural, namespace: ns }));
}

export function rolloutsOf(rollouts: Json[], target: Target): Json[] {
  return rollouts.filter((r) => {
    const name = rec(r.metadata).name;
    const ref = rec(rec(r.spec).workloadRef);
    return (
      (target.kind === 'Rollout' && name === target.name) || (ref.kind === target.kind && ref.name === target.name)
    );
  });
}

/** Why Argo Rollouts paused a Rollout (`status.pauseConditions[].reason`), in words. */
const PAUSES: Record<string, string> = {
  BlueGreenPause: 'paused for promotion: the new ReplicaSet is the preview, not yet active',
  CanaryPauseStep: 'paused at a canary step',
  InconclusiveAnalysisRun: 'paused: an AnalysisRun was inconclusive, a human decides',
  InconclusiveExperiment: 'paused: an Experiment was inconclusive, a human decides',
};

/** Which analysis an AnalysisRun is (its `rollout-type` label, as Argo Rollouts sets it). */
const RUN_TYPES: Record<string, string> = {
  PrePromotion: 'pre-promotion analysis',
  PostPromotion: 'post-promotion analysis',
  Background: 'background analysis',
  Step: 'step analysis',
};

/** The pause reasons named, then the Rollout's own message; '' when neither. */
function rolloutMessage(st: Json): string {
  const pauses = Array.isArray(st.pauseConditions) ? st.pauseConditions.map((c) => text(rec(c).reason)) : [];
  const named = [...new Set(pauses)].map((r) => PAUSES[r] ?? (r ? `paused (${r})` : ''));
  return [...named, text(st.message)].filter((m) => m !== '').join('; ');
}

function runMessage(meta: Json, st: Json): string {
  const type = RUN_TYPES[text(rec(meta.labels)['rollout-type'])];
  const message = text(st.message);
  return type ? `${type}${message ? `: ${message}` : ''}` : message;
}

export function canaryViews(rollouts: Json[], runs: Json[], since: Date): CanaryView[] {
  const views: CanaryView[] = [];
  const names = new Set(rollouts.map((r) => rec(r.metadata).name));
  for (const r of rollouts) {
    const st = rec(r.status);
    const phase = text(st.phase) || 'Unknown';
    const aborted = st.abort === true || phase === 'Degraded';
    const message = rolloutMessage(st);
    views.push({
      kind: 'Rollout',
      name: String(rec(r.metadata).name),
      phase: aborted ? `${phase} (aborted)` : phase,
      failed: aborted,
      ...(message ? { message } : {}),
    });
  }
  for (const run of runs) {
    const meta = rec(run.metadata);
    const owners = Array.isArray(meta.ownerReferences) ? meta.ownerReferences.map(rec) : [];
    const ours = owners.some((o) => o.kind === 'Rollout' && names.has(o.name));
    const created = Date.parse(text(meta.creationTimestamp));
    if (!ours || !(created >= since.getTime() - 1000)) continue;
    const st = rec(run.status);
    const phase = text(st.phase) || 'Pending';
    const message = runMessage(meta, st);
    views.push({
      kind: 'AnalysisRun',
      name: String(meta.name),
      phase,
      failed: phase === 'Failed' || phase === 'Error',
      ...(message ? { message } : {}),
    });
  }
  return views;
}

export async function readCanaries(
  custom: CustomObjectsApi,
  target: Target,
  since: Date,
  gaps: string[],
): Promise<CanaryView[]> {
  const ns = target.namespace;
  const rollouts = rolloutsOf(await list(custom, ARGO_GROUP, ARGO_VERSION, 'rollouts', ns), target);
  const runs = rollouts.length > 0 ? await list(custom, ARGO_GROUP, ARGO_VERSION, 'analysisruns', ns) : [];
  const views = canaryViews(rollouts, runs, since);
  try {
    for (const c of await list(custom, 'flagger.app', 'v1beta1', 'canaries', ns)) {
      const ref = rec(rec(c.spec).targetRef);
      if (ref.name !== target.name || ref.kind !== target.kind) continue;
      const phase = text(rec(c.status).phase) || 'Unknown';
      views.push({ kind: 'Canary', name: String(rec(c.metadata).name), phase, failed: phase === 'Failed' });
    }
  } catch (err) {
    // No Flagger CRD in this cluster (404) is the common case; anything else is worth naming.
    const code = (err as { code?: number }).code;
    if (code !== 404) gaps.push(`Flagger canaries in ${ns}: ${(err as Error).message.split('\n')[0]}`);
  }
  return views;
}
