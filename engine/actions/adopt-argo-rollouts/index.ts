/**
 * Adopting Argo Rollouts for a plain Deployment, as its own change: the takeover Rollout
 * (workloadRef, pod template unchanged) and its guard rails are the exposure stage's files; this
 * action adds what Argo CD needs so self-heal does not fight the Deployment's scale-down. Never
 * proposed from a signal: the planner proposes it when `.salve.yaml` opts in (`rollouts.adopt`)
 * and a fix to the Deployment deserves a canary.
 */
import type { FileChange } from '../../model/index.ts';
import type { ActionPlugin } from '../types.ts';
import { findWorkload, objectRef } from '../workload.ts';
import { applicationSnippet, ignoreDeploymentReplicas } from './argo-application.ts';

export const ADOPT_ARGO_ROLLOUTS = 'adopt-argo-rollouts';

export const adoptArgoRollouts: ActionPlugin = {
  id: ADOPT_ARGO_ROLLOUTS,
  family: 'workload',
  disruption: 4,
  handles: [],
  description: 'Hand a plain Deployment to a new Argo Rollout (workloadRef) so that later changes ship as canaries.',
  changesOnlyExposure: true,

  async propose(incident, repo) {
    const workload = findWorkload(repo.objects, incident);
    if (!workload || workload.kind !== 'Deployment') {
      return {
        action: this.id,
        reason: `${incident.target.kind}/${incident.target.name} is not a rendered Deployment`,
      };
    }
    const ref = objectRef(workload);
    const app = repo.resolution.application;
    const ignore = { application: app.name, deployment: ref.name, namespace: incident.target.namespace };
    const text = await repo.readFile(app.file);
    const edited = text === null ? null : ignoreDeploymentReplicas(text, ignore);
    const argocd =
      edited === null
        ? `salve could not edit the Argo CD Application ${app.name} in ${app.file}: before merging, add ${applicationSnippet(ignore)}, or Argo CD self-heal scales the Deployment back up under the Rollout.`
        : `The Argo CD Application ${app.name} (${app.file}) ignores the Deployment's spec.replicas and syncs with RespectIgnoreDifferences=true, so self-heal does not scale the Deployment back up while the Rollout runs its pods.`;
    return {
      action: this.id,
      params: { deployment: ref.name, application: app.name, applicationFile: edited === null ? null : app.file },
      summary: `adopt Argo Rollouts for Deployment/${ref.name}: a Rollout runs its pod template unchanged`,
      rationale: [
        `A new Rollout ${ref.name} references the Deployment (workloadRef) with the pod template unchanged: no pod restarts because of this change, and the Deployment's pods are scaled down as the Rollout's become ready.`,
        argocd,
      ],
      object: ref,
      effects: this.effects({}, ref),
      releaseAgeSeconds: null,
    };
  },

  effects() {
    return { fields: [], objects: [] };
  },

  async render(candidate, repo): Promise<FileChange[]> {
    const file = candidate.params.applicationFile;
    if (typeof file !== 'string') return [];
    const before = await repo.readFile(file);
    if (before === null) return [];
    const after = ignoreDeploymentReplicas(before, {
      application: String(candidate.params.application),
      deployment: String(candidate.params.deployment),
      namespace: candidate.object.namespace ?? repo.resolution.application.namespace,
    });
    return after === null || after === before ? [] : [{ path: file, before, after }];
  },
};
