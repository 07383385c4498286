/** KubeHpaMaxedOut: raise the HorizontalPodAutoscaler's maxReplicas by half, within the configured cap. */
import type { Incident } from '../../model/index.ts';
import type { K8sObject } from '../../model/remediation.ts';
import { counted } from '../../model/words.ts';
import { editField } from '../../render/index.ts';
import type { ActionPlugin } from '../types.ts';
import { objectRef } from '../workload.ts';

export const STEP_FACTOR = 1.5;

/** The HPA itself, or the HPA whose scaleTargetRef is the incident's workload. */
function findHpa(objects: readonly K8sObject[], incident: Incident): K8sObject | null {
  const { kind, name, namespace } = incident.target;
  const hpas = objects.filter(
    (o) => o.kind === 'HorizontalPodAutoscaler' && (o.metadata.namespace ?? namespace) === namespace,
  );
  if (kind === 'HorizontalPodAutoscaler') return hpas.find((o) => o.metadata.name === name) ?? null;
  return (
    hpas.find((o) => {
      const ref = (o.spec as { scaleTargetRef?: { kind?: string; name?: string } } | undefined)?.scaleTargetRef;
      return ref?.kind === kind && ref.name === name;
    }) ?? null
  );
}

export const raiseHpaMaxReplicas: ActionPlugin = {
  id: 'raise-hpa-max-replicas',
  family: 'resources',
  disruption: 1,
  handles: ['HPAMaxedOut'],
  description: "Raise a HorizontalPodAutoscaler's maxReplicas.",

  async propose(incident, repo) {
    const hpa = findHpa(repo.objects, incident);
    if (!hpa)
      return {
        action: this.id,
        reason: `no HorizontalPodAutoscaler for ${incident.target.kind}/${incident.target.name} in ${repo.resolution.overlay}`,
      };
    const from = (hpa.spec as { maxReplicas?: unknown } | undefined)?.maxReplicas;
    if (typeof from !== 'number')
      return { action: this.id, reason: `HorizontalPodAutoscaler/${hpa.metadata.name} has no numeric maxReplicas` };
    const cap = repo.config.policy.bounds.replicasCap;
    const to = Math.min(Math.max(from + 1, Math.ceil(from * STEP_FACTOR)), cap);
    if (to <= from) return { action: this.id, reason: `maxReplicas ${from} is already at the cap ${cap}` };
    const ref = objectRef(hpa);
    return {
      action: this.id,
      params: { from, to },
      summary: `raise maxReplicas of HorizontalPodAutoscaler/${ref.name} from ${from} to ${to}`,
      rationale: [
        `The autoscaler has run at its maximum of ${from} replicas (${counted(incident.occurrences, 'alert')}).`,
        'Adding headroom to the autoscaler changes no running pod; the controller scales only if load needs it.',
      ],
      object: ref,
      effects: this.effects({ to }, ref),
      releaseAgeSeconds: null,
    };
  },

  effects(params, object) {
    const ns = object.namespace ? { namespace: object.namespace } : {};
    return {
      fields: [{ kind: object.kind, name: object.name, ...ns, path: '/spec/maxReplicas', after: params.to }],
      objects: [],
    };
  },

  async render(candidate, repo) {
    const hpa = repo.objects.find(
      (o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === candidate.object.name,
    );
    if (!hpa) return [];
    return editField(repo, {
      action: this.id,
      object: hpa,
      field: ['spec', 'maxReplicas'],
      value: candidate.params.to,
      header: `Managed by salve: ${candidate.summary}.`,
    });
  },
};
