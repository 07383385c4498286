/** Every action salve knows, registered explicitly. A spec test keeps this list and the folders in step. */

import type { SignalKind } from '../model/index.ts';
import { adoptArgoRollouts } from './adopt-argo-rollouts/index.ts';
import { raiseCpuLimit } from './raise-cpu-limit/index.ts';
import { raiseHpaMaxReplicas } from './raise-hpa-max-replicas/index.ts';
import { raiseMemoryLimit } from './raise-memory-limit/index.ts';
import { revertRemediation } from './revert-remediation/index.ts';
import { rollbackImage } from './rollback-image/index.ts';
import type { ActionPlugin } from './types.ts';

export const ACTIONS: readonly ActionPlugin[] = [
  raiseHpaMaxReplicas,
  raiseMemoryLimit,
  raiseCpuLimit,
  rollbackImage,
  adoptArgoRollouts,
  revertRemediation,
];

export function getAction(id: string): ActionPlugin | undefined {
  return ACTIONS.find((a) => a.id === id);
}

/** Actions that handle any of the kinds, least disruptive first (ties by id, so the order is stable). */
export function actionsFor(kinds: readonly SignalKind[]): ActionPlugin[] {
  return ACTIONS.filter((a) => a.handles.some((k) => kinds.includes(k))).sort(
    (a, b) => a.disruption - b.disruption || a.id.localeCompare(b.id),
  );
}
