/** Assembles the one document policy evaluates: everything it needs, nothing it must look up. */
import { parseCpuMillis, parseMemory } from '../actions/quantity.ts';
import type { ActionCandidate, ActionPlugin } from '../actions/types.ts';
import type { SalveConfig } from '../config/schema.ts';
import { formatDuration } from '../model/duration.ts';
import type { Incident, RenderedDiff } from '../model/index.ts';
import { type OutcomeEntry, PolicyInput, type PolicySettings, type WorkloadFacts } from '../model/policy.ts';
import type { OverlayResolution } from '../model/remediation.ts';
import { durationSeconds, timeFacts } from './time-facts.ts';

export function policySettings(config: SalveConfig): PolicySettings {
  const p = config.policy;
  return {
    trust: config.trust.rules.map((r) => ({ environment: r.environment, action: r.action, mode: r.mode })),
    defaultMode: config.trust.default,
    confidenceThreshold: p.confidenceThreshold,
    riskThreshold: p.riskThreshold,
    protectedNamespaces: p.protectedNamespaces,
    sensitiveKinds: p.sensitiveKinds,
    bounds: {
      memoryMaxFactor: p.bounds.memoryMaxFactor,
      memoryCapBytes: parseMemory(p.bounds.memoryCap),
      cpuMaxFactor: p.bounds.cpuMaxFactor,
      cpuCapMillis: parseCpuMillis(p.bounds.cpuCap),
      replicasMaxFactor: p.bounds.replicasMaxFactor,
      replicasCap: p.bounds.replicasCap,
    },
    rollbackMaxReleaseAgeSeconds: durationSeconds(p.rollbackMaxReleaseAge, 'policy.rollbackMaxReleaseAge'),
    rollbackMaxReleaseAge: p.rollbackMaxReleaseAge,
    ...(config.slos.length > 0 ? { slos: config.slos } : {}),
    ...(config.trust.earn
      ? {
          trustEarn: {
            effective: config.trust.earn.effective,
            windowSeconds: durationSeconds(config.trust.earn.window, 'trust.earn.window'),
          },
        }
      : {}),
    // Only when set: proofs decided before the setting existed keep the settings they were decided under.
    ...(config.followUp.revert === 'automate' ? { revertOwnHarmful: 'automate' as const } : {}),
  };
}

/**
 * The outcomes trust is computed from: this action's, in clusters of this environment (the
 * target's cluster when the environment lists none), decided within the window before `now`.
 */
export function outcomesFor(
  all: readonly OutcomeEntry[],
  action: string,
  cluster: string,
  environment: string,
  config: SalveConfig,
  now: Date,
  windowSeconds: number,
): OutcomeEntry[] {
  const env = config.environments.find((e) => e.name === environment);
  const clusters = env && env.clusters.length > 0 ? env.clusters : [cluster];
  const since = now.getTime() - windowSeconds * 1000;
  return all
    .filter((o) => o.action === action && clusters.includes(o.cluster))
    .filter((o) => Date.parse(o.decidedAt) >= since && Date.parse(o.decidedAt) <= now.getTime())
    .map((o) => ({ pull: o.pull, action: o.action, cluster: o.cluster, kind: o.kind, decidedAt: o.decidedAt }))
    .sort((a, b) => (a.decidedAt < b.decidedAt ? -1 : a.decidedAt > b.decidedAt ? 1 : a.pull - b.pull));
}

export interface PolicyInputParts {
  incident: Incident;
  plugin: ActionPlugin;
  candidate: ActionCandidate;
  resolution: OverlayResolution;
  namespaceLabels: Record<string, string>;
  diff: RenderedDiff;
  config: SalveConfig;
  now: Date;
  /** The workload the change touches, as rendered at the base commit. */
  workload?: WorkloadFacts | undefined;
  /** Every follow-up outcome salve knows for the repo (trust.earn picks this action's, in the window). */
  outcomes?: readonly OutcomeEntry[] | undefined;
}

export function buildPolicyInput(parts: PolicyInputParts): PolicyInput {
  const { incident, plugin, candidate, resolution, config } = parts;
  const env = config.environments.find((e) => e.name === resolution.environment.name);
  const settings = policySettings(config);
  const outcomes = settings.trustEarn
    ? outcomesFor(
        parts.outcomes ?? [],
        plugin.id,
        incident.target.cluster,
        resolution.environment.name,
        config,
        parts.now,
        settings.trustEarn.windowSeconds,
      )
    : null;
  return PolicyInput.parse({
    version: 'salve.dev/policy-input/v1',
    action: { id: plugin.id, family: plugin.family, disruption: plugin.disruption, params: candidate.params },
    target: {
      cluster: incident.target.cluster,
      namespace: incident.target.namespace,
      kind: candidate.object.kind,
      name: candidate.object.name,
      ...(candidate.container ? { container: candidate.container } : {}),
    },
    environment: resolution.environment,
    namespace: { name: incident.target.namespace, labels: parts.namespaceLabels },
    incident: {
      fingerprint: incident.fingerprint,
      kinds: incident.kinds,
      occurrences: incident.occurrences,
      risk: {
        score: incident.risk.score,
        confidence: incident.risk.confidence,
        type: incident.risk.type,
        ...(incident.risk.interval ? { interval: incident.risk.interval } : {}),
        attributions: incident.risk.attributions,
        ...(incident.risk.evidence ? { evidence: incident.risk.evidence } : {}),
        ...(incident.risk.model ? { model: incident.risk.model } : {}),
      },
    },
    change: parts.diff,
    release: {
      ageSeconds: candidate.releaseAgeSeconds,
      ...(candidate.releaseAgeSeconds === null ? {} : { age: formatDuration(candidate.releaseAgeSeconds) }),
    },
    time: timeFacts(parts.now, env, resolution.environment.name, config),
    settings,
    ...(parts.workload ? { workload: parts.workload } : {}),
    ...(outcomes ? { outcomes } : {}),
  });
}
