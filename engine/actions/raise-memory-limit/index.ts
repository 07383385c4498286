/** OOMKilled: raise the container's memory limit by half, within the configured cap. */
import { formatMemory, parseMemory, raiseMemory } from '../quantity.ts';
import { writeResourcePatch } from '../patch.ts';
import type { ActionPlugin } from '../types.ts';
import { containerPath, findWorkload, objectRef, pickContainer } from '../workload.ts';

export const STEP_FACTOR = 1.5;

export const raiseMemoryLimit: ActionPlugin = {
  id: 'raise-memory-limit',
  family: 'resources',
  disruption: 2,
  handles: ['OOMKilled'],
  description: 'Raise a container memory limit (and the request when it would exceed the new limit).',

  async propose(incident, repo) {
    const workload = findWorkload(repo.objects, incident);
    if (!workload) return { action: this.id, reason: `${incident.target.kind}/${incident.target.name} is not rendered by ${repo.resolution.overlay}` };
    const container = pickContainer(workload, incident);
    if (!container) return { action: this.id, reason: 'cannot tell which container was OOMKilled' };
    const limit = container.resources?.limits?.memory;
    if (limit === undefined) {
      return { action: this.id, reason: `container ${container.name} has no memory limit to raise` };
    }
    const fromBytes = parseMemory(limit);
    const capBytes = parseMemory(repo.config.policy.bounds.memoryCap);
    const toBytes = raiseMemory(fromBytes, STEP_FACTOR, capBytes);
    if (toBytes <= fromBytes) {
      return { action: this.id, reason: `memory limit ${String(limit)} is already at the cap ${repo.config.policy.bounds.memoryCap}` };
    }
    const from = String(limit);
    const to = formatMemory(toBytes);
    const ref = objectRef(workload);
    return {
      action: this.id,
      params: { container: container.name, from, to, fromBytes, toBytes },
      summary: `raise memory limit of ${ref.kind}/${ref.name} container ${container.name} from ${from} to ${to}`,
      rationale: [
        `The container was OOMKilled ${incident.occurrences} time(s); its limit is ${from}.`,
        `A ${STEP_FACTOR}x step (capped at ${repo.config.policy.bounds.memoryCap}) is the smallest change likely to stop the kills.`,
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
          path: containerPath(String(params.container), '/resources/limits/memory'),
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
      spec: { template: { spec: { containers: [{ name: candidate.container, resources: { limits: { memory: candidate.params.to } } }] } } },
    };
    return writeResourcePatch(repo, this.id, workload, fragment, `Managed by salve: ${candidate.summary}.`);
  },
};
