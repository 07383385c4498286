/**
 * Test fixtures for the policy engine, shared with other stages' tests: a valid PolicyInput for a
 * memory raise in staging, with overrides deep-merged (objects merge, arrays and scalars replace).
 */
import { PolicyInput } from '../model/policy.ts';

export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

const MI = 1024 * 1024;

export function baseInput(): PolicyInput {
  return {
    version: 'salve.dev/policy-input/v1',
    action: {
      id: 'raise-memory-limit',
      family: 'resources',
      disruption: 1,
      params: { container: 'podinfo', from: '256Mi', to: '384Mi', fromBytes: 256 * MI, toBytes: 384 * MI },
    },
    target: { cluster: 'in-cluster', namespace: 'podinfo', kind: 'Deployment', name: 'podinfo', container: 'podinfo' },
    environment: { name: 'staging', tier: 'staging' },
    namespace: { name: 'podinfo', labels: {} },
    incident: {
      fingerprint: 'a'.repeat(64),
      kinds: ['OOMKilled'],
      occurrences: 3,
      risk: { score: 0.85, confidence: 0.9, type: 'resource-pressure' },
    },
    change: {
      fields: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'podinfo',
          name: 'podinfo',
          path: '/spec/template/spec/containers[name=podinfo]/resources/limits/memory',
          before: '256Mi',
          after: '384Mi',
        },
      ],
      objects: [],
    },
    release: { ageSeconds: null },
    time: {
      now: '2025-03-04T10:30:00Z',
      weekday: 2,
      hour: 10,
      businessHours: true,
      freeze: { active: false },
    },
    settings: {
      trust: [
        { environment: 'staging', action: '*', mode: 'automate' },
        { environment: 'dev*', action: '*', mode: 'automate' },
      ],
      defaultMode: 'approve',
      confidenceThreshold: 0.8,
      riskThreshold: 0.4,
      protectedNamespaces: ['kube-system', 'kube-public', 'argocd'],
      sensitiveKinds: ['StatefulSet', 'DaemonSet', 'Node'],
      bounds: {
        memoryMaxFactor: 2,
        memoryCapBytes: 8 * 1024 * MI,
        cpuMaxFactor: 2,
        cpuCapMillis: 4000,
        replicasMaxFactor: 2,
        replicasCap: 50,
      },
      rollbackMaxReleaseAgeSeconds: 7200,
    },
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/** A valid PolicyInput; throws (zod) when the overrides make it invalid. */
export function makeInput(overrides: DeepPartial<PolicyInput> = {}): PolicyInput {
  return PolicyInput.parse(merge(baseInput(), overrides));
}
