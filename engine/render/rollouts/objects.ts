/**
 * The Argo Rollouts objects an exposure plan stands for: canary steps, the AnalysisTemplate of its
 * guard rails, and the Rollout that takes over a Deployment. Pure: the same plan and workload give
 * the same objects, so the engine renders and the verifier recomputes exactly these.
 */
import type { ExposurePlan } from '../../model/policy.ts';
import type { K8sObject } from '../../model/remediation.ts';

export const ROLLOUTS_API = 'argoproj.io/v1alpha1';
/** The AnalysisTemplate argument the SLO queries use (`{{args.service}}`). */
export const SERVICE_ARG = 'service';

export function templateName(workload: string): string {
  return `${workload}-salve-guard-rails`;
}

export type CanaryStep =
  | { setWeight: number }
  | { pause: { duration: string } }
  | { analysis: { templates: Array<{ templateName: string }>; args: Array<{ name: string; value: string }> } };

/**
 * How the exposure objects name each other. Written into the overlay they carry the names its
 * resources give (kustomize then renames them and, through name references, what refers to them);
 * as rendered they carry the names the cluster sees.
 */
export interface ExposureNames {
  /** The Rollout's `metadata.name`. */
  rollout: string;
  /** `workloadRef.name`: the Deployment the Rollout takes over. */
  deployment: string;
  /** The AnalysisTemplate the canary steps name. */
  template: string;
  /** The workload as its metrics name it (`{{args.service}}`): always its rendered name. */
  service: string;
}

/** Names for a workload named `name` (as written or as rendered) whose rendered name is `service`. */
export function exposureNames(name: string, template: string, service: string): ExposureNames {
  return { rollout: name, deployment: name, template, service };
}

/** setWeight, then the dwell, then the gate: promotion needs the guard rails to hold after each dwell. */
export function canarySteps(plan: ExposurePlan, names: Pick<ExposureNames, 'template' | 'service'>): CanaryStep[] {
  const steps: CanaryStep[] = [];
  for (const step of plan.steps) {
    steps.push({ setWeight: step.weight });
    // `pause: {}` waits for a human forever; a zero dwell is no pause at all.
    if (step.pauseSeconds > 0) steps.push({ pause: { duration: `${step.pauseSeconds}s` } });
    if (step.analysis && plan.analysis) {
      steps.push({
        analysis: {
          templates: [{ templateName: names.template }],
          args: [{ name: SERVICE_ARG, value: names.service }],
        },
      });
    }
  }
  return steps;
}

/** The guard rails as an AnalysisTemplate named `name` (Prometheus provider); null when the plan has no analysis. */
export function analysisTemplate(plan: ExposurePlan, name: string): K8sObject | null {
  const analysis = plan.analysis;
  if (!analysis) return null;
  return {
    apiVersion: ROLLOUTS_API,
    kind: 'AnalysisTemplate',
    metadata: { name },
    spec: {
      args: [{ name: SERVICE_ARG }],
      metrics: analysis.metrics.map((m) => ({
        name: m.name,
        interval: analysis.interval,
        count: analysis.count,
        failureLimit: analysis.failureLimit,
        // An all-error run must not pass (argoproj/argo-rollouts#4479): errors fail the metric, and
        // promotion needs successes in a row, not merely the absence of failures.
        consecutiveErrorLimit: analysis.errorLimit,
        consecutiveSuccessLimit: analysis.minSuccessful,
        successCondition: m.successCondition,
        failureCondition: m.failureCondition,
        provider: { prometheus: { address: analysis.address, query: m.query } },
      })),
    },
  };
}

/**
 * A Rollout of the Deployment's name that references it (workloadRef): Argo Rollouts runs the
 * Deployment's pod template under the plan's steps and scales the Deployment per `scaleDown`.
 * Replicas and selector are the Deployment's as rendered at the base commit.
 */
export function rolloutFor(deployment: K8sObject, plan: ExposurePlan, names: ExposureNames): K8sObject {
  const spec = (deployment.spec ?? {}) as { replicas?: number; selector?: unknown };
  return {
    apiVersion: ROLLOUTS_API,
    kind: 'Rollout',
    metadata: { name: names.rollout },
    spec: {
      // No count when the Deployment has none (an HPA owns it): the Rollout would otherwise pin 1.
      ...(spec.replicas !== undefined ? { replicas: spec.replicas } : {}),
      ...(spec.selector ? { selector: spec.selector } : {}),
      workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: names.deployment, scaleDown: plan.scaleDown },
      strategy: { canary: { steps: canarySteps(plan, names) } },
    },
  };
}
