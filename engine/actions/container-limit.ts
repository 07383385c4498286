/**
 * The shape shared by actions that raise one container resource limit (memory, CPU): find the
 * container, step its limit up by a factor within the configured cap, patch it in the overlay.
 */
import type { SalveConfig } from '../config/schema.ts';
import type { SignalKind } from '../model/index.ts';
import { counted } from '../model/words.ts';
import { editField } from '../render/index.ts';
import type { ActionPlugin } from './types.ts';
import { containerPath, findWorkload, listParam, objectRef, pickContainer } from './workload.ts';

export const STEP_FACTOR = 1.5;

export interface LimitSpec {
  id: string;
  handles: readonly SignalKind[];
  description: string;
  /** The key under `resources.limits`. */
  resource: 'memory' | 'cpu';
  /** How the limit reads in params: `fromBytes`/`toBytes` or `fromMillis`/`toMillis`. */
  unit: 'Bytes' | 'Millis';
  /** What went wrong, for rationale: "was OOMKilled", "is throttled". */
  symptom: string;
  cap(config: SalveConfig): string;
  parse(value: unknown): number;
  format(amount: number): string;
  raise(amount: number, factor: number, cap: number): number;
  /** Why this step, in one sentence. */
  why: string;
}

export function containerLimitAction(spec: LimitSpec): ActionPlugin {
  const label = spec.resource === 'cpu' ? 'CPU' : spec.resource;
  return {
    id: spec.id,
    family: 'resources',
    disruption: 2,
    handles: spec.handles,
    description: spec.description,

    async propose(incident, repo) {
      const workload = findWorkload(repo.objects, incident);
      if (!workload) {
        return {
          action: spec.id,
          reason: `${incident.target.kind}/${incident.target.name} is not rendered by ${repo.resolution.overlay}`,
        };
      }
      const container = pickContainer(workload, incident);
      if (!container) return { action: spec.id, reason: `cannot tell which container ${spec.symptom}` };
      const limit = container.resources?.limits?.[spec.resource];
      if (limit === undefined)
        return { action: spec.id, reason: `container ${container.name} has no ${label} limit to raise` };
      const capText = spec.cap(repo.config);
      const fromAmount = spec.parse(limit);
      const toAmount = spec.raise(fromAmount, STEP_FACTOR, spec.parse(capText));
      if (toAmount <= fromAmount)
        return { action: spec.id, reason: `${label} limit ${String(limit)} is already at the cap ${capText}` };
      const from = String(limit);
      const to = spec.format(toAmount);
      const ref = objectRef(workload);
      return {
        action: spec.id,
        params: {
          container: container.name,
          ...listParam(container),
          from,
          to,
          [`from${spec.unit}`]: fromAmount,
          [`to${spec.unit}`]: toAmount,
        },
        summary: `raise ${label} limit of ${ref.kind}/${ref.name} container ${container.name} from ${from} to ${to}`,
        rationale: [
          `The container ${spec.symptom} (${counted(incident.occurrences, 'signal')}); its ${label} limit is ${from}.`,
          `A ${STEP_FACTOR}x step, capped at ${capText}: ${spec.why}`,
        ],
        object: ref,
        container: container.name,
        effects: this.effects({ container: container.name, ...listParam(container), to }, ref),
        releaseAgeSeconds: null,
      };
    },

    effects(params, object) {
      const ns = object.namespace ? { namespace: object.namespace } : {};
      const path = containerPath(String(params.container), `/resources/limits/${spec.resource}`, params.containerList);
      return { fields: [{ kind: object.kind, name: object.name, ...ns, path, after: params.to }], objects: [] };
    },

    async render(candidate, repo) {
      const workload = repo.objects.find(
        (o) => o.kind === candidate.object.kind && o.metadata.name === candidate.object.name,
      );
      if (!workload || candidate.container === undefined) return [];
      return editField(repo, {
        action: spec.id,
        object: workload,
        container: candidate.container,
        field: ['resources', 'limits', spec.resource],
        value: candidate.params.to,
        header: `Managed by salve: ${candidate.summary}.`,
      });
    },
  };
}
