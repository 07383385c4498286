/** The workload's pods as the kubelet reports them: ready, restarted, OOM-killed since the sync. */
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { resolvePodOwner } from '../intake/owner.ts';
import type { Target } from '../model/index.ts';
import type { PodView } from './types.ts';

const FAILING = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'CreateContainerConfigError']);
const MAX_PODS = 2000;

function ownedBy(pod: V1Pod, target: Target): boolean {
  const owner = resolvePodOwner(
    pod.metadata?.name ?? '',
    (pod.metadata?.ownerReferences ?? []).map((r) => ({ kind: r.kind, name: r.name, controller: r.controller })),
    pod.metadata?.labels ?? {},
  );
  // A Deployment adopted by an Argo Rollout (workloadRef) runs its pods under the Rollout.
  return owner.name === target.name && (owner.kind === target.kind || owner.kind === 'Rollout');
}

function after(t: Date | string | undefined, since: number): boolean {
  return t !== undefined && new Date(t).getTime() >= since;
}

/** Pods of the target, summed. `since` is the sync time: only what happened after it counts. */
export function summarisePods(pods: V1Pod[], target: Target, since: Date): PodView {
  const at = since.getTime();
  const view: PodView = { total: 0, ready: 0, restartsSinceSync: 0, oomsSinceSync: 0, failing: 0 };
  for (const pod of pods) {
    if (!ownedBy(pod, target) || pod.metadata?.deletionTimestamp) continue;
    view.total++;
    const statuses = pod.status?.containerStatuses ?? [];
    if (statuses.length > 0 && statuses.every((c) => c.ready)) view.ready++;
    if (statuses.some((c) => FAILING.has(c.state?.waiting?.reason ?? ''))) view.failing++;
    for (const c of statuses) {
      const last = c.lastState?.terminated;
      if (!last || !after(last.finishedAt, at)) continue;
      view.restartsSinceSync++;
      if (last.reason === 'OOMKilled') view.oomsSinceSync++;
    }
  }
  return view;
}

export async function readPods(core: CoreV1Api, target: Target, since: Date): Promise<PodView> {
  const list = await core.listNamespacedPod({ namespace: target.namespace, limit: MAX_PODS });
  return summarisePods(list.items, target, since);
}
