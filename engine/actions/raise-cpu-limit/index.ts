/** CPUThrottlingHigh: raise the container's CPU limit by half, within the configured cap. */
import { formatCpu, parseCpuMillis, raiseCpu } from '../quantity.ts';
import { writeResourcePatch } from '../patch.ts';
import type { ActionPlugin } from '../types.ts';
import { containerPath, findWorkload, objectRef, pickContainer } from '../workload.ts';

export const STEP_FACTOR = 1.5;

export const raiseCpuLimit: ActionPlugin = {
  id: 'raise-cpu-limit',
  family: 'resources',
  disruption: 2,
  handles: ['CPUThrottling'],
  description: 'Raise a container CPU limit.',

  async propose(incident, repo) {
    const workload = findWorkload(repo.objects, incident);
    if (!workload) return { action: this.id, reason: `${incident.target.kind}/${incident.target.name} is not rendered by ${repo.resolution.overlay}` };
    const container = pickContainer(workload, incident);
    if (!container) return { action: this.id, reason: 'cannot tell which container is throttled' };
    const limit = container.resources?.limits?.cpu;
    if (limit === undefined) return { action: this.id, reason: `container ${container.name} has no CPU limit to raise` };
    const fromMillis = parseCpuMillis(limit);
    const capMillis = parseCpuMillis(repo.config.policy.bounds.cpuCap);
    const toMillis = raiseCpu(fromMillis, STEP_FACTOR, capMillis);
    if (toMillis <= fromMillis) {
      return { action: this.id, reason: `CPU limit ${String(limit)} is already at the cap ${repo.config.policy.bounds.cpuCap}` };
    }
    const from = String(limit);
    const to = formatCpu(toMillis);
    const ref = objectRef(workload);
    return {
      action: this.id,
      params: { container: container.name, from, to, fromMillis, toMillis },
      summary: `raise CPU limit of ${ref.kind}/${ref.name} container ${container.name} from ${from} to ${to}`,
      rationale: [
        `The container is throttled (${incident.occurrences} alert(s)); its CPU limit is ${from}.`,
        `A ${STEP_FACTOR}x step (capped at ${repo.config.policy.bounds.cpuCap}) relieves throttling without changing scheduling requests.`,
      ],
      object: ref,
      container: container.name,
      effects: this.effects({ container: container.name, to }, ref),
      releaseAgeSeconds: null,
    };
  },

  effects(params, object) {
    return {
      fields: [
        {
          kind: object.kind,
          name: object.name,
          ...(object.namespace ? { namespace: object.namespace } : {}),
          path: containerPath(String(params.container), '/resources/limits/cpu'),
          after: params.to,
        },
      ],
      objects: [],
    };
  },

  async render(candidate, repo) {
    const workload = repo.objects.find((o) => o.kind === candidate.object.kind && o.metadata.name === candidate.object.name);
    if (!workload) return [];
    const fragment = {
      spec: { template: { spec: { containers: [{ name: candidate.container, resources: { limits: { cpu: candidate.params.to } } }] } } },
    };
    return writeResourcePatch(repo, this.id, workload, fragment, `Managed by salve: ${candidate.summary}.`);
  },
};
