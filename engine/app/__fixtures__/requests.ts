/**
 * Realistic PublishRequests and PlanResults for tests: a memory raise (or a rollback) for the
 * checkout Deployment in the staging overlay, shaped as the planner produces them.
 */
import { createHash } from 'node:crypto';
import type { Incident, Mode, PolicyDecision } from '../../model/index.ts';
import type { PlanResult, PublishRequest, Remediation } from '../../model/remediation.ts';
import type { Planner } from '../types.ts';

export interface FixtureOptions {
  namespace?: string;
  name?: string;
  action?: 'raise-memory-limit' | 'rollback-image';
  mode?: Mode;
  allowed?: boolean;
  occurrences?: number;
  lastSeen?: string;
  baseCommit?: string;
}

export function fingerprintOf(namespace: string, name: string): string {
  return createHash('sha256').update(`staging/${namespace}/Deployment/${name}`).digest('hex');
}

export function fixtureRemediation(o: FixtureOptions = {}): { remediation: Remediation; request: PublishRequest } {
  const namespace = o.namespace ?? 'shop';
  const name = o.name ?? 'checkout';
  const action = o.action ?? 'raise-memory-limit';
  const mode = o.mode ?? 'approve';
  const occurrences = o.occurrences ?? 1;
  const lastSeen = o.lastSeen ?? '2025-03-04T10:00:00Z';
  const baseCommit = o.baseCommit ?? 'a'.repeat(40);
  const fingerprint = fingerprintOf(namespace, name);
  const id = `${fingerprint.slice(0, 12)}-${action}`;
  const target = { cluster: 'staging', namespace, kind: 'Deployment', name };
  const decision: PolicyDecision = {
    allowed: o.allowed ?? true,
    mode,
    rules: [
      { id: 'merge.trust_ladder', effect: 'allow', message: `staging/${action} is trusted at ${mode}` },
      { id: 'safety.memory_bounds', effect: 'allow', message: 'new limit 384Mi is within 2x of 256Mi' },
    ],
  };
  const incident: Incident = {
    fingerprint,
    target,
    kinds: ['OOMKilled'],
    containers: ['app'],
    signals: [],
    occurrences,
    firstSeen: '2025-03-04T09:58:00Z',
    lastSeen,
    risk: { score: 0.82, confidence: 0.9, type: 'resource-pressure', attributions: [] },
  };
  const patch =
    action === 'raise-memory-limit'
      ? `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          resources:\n            limits:\n              memory: 384Mi\n`
      : `- op: replace\n  path: /spec/template/spec/containers/0/image\n  value: ghcr.io/example/${name}:1.4.2\n`;
  const files = [
    { path: `overlays/staging/${name}/salve-${action}.yaml`, before: null, after: patch },
    {
      path: 'overlays/staging/kustomization.yaml',
      before: 'resources:\n  - ../../base\n',
      after: `resources:\n  - ../../base\npatches:\n  - path: ${name}/salve-${action}.yaml\n`,
    },
    {
      path: `.salve/remediations/${id}/proof.dsse.json`,
      before: null,
      after: `{"payloadType":"application/vnd.salve.proof.v1+json","payload":"e30=","signatures":[{"keyid":"k1","sig":"c2ln"}]}\n`,
    },
    {
      path: `.salve/remediations/${id}/explanation.md`,
      before: null,
      after: `# ${action} for ${namespace}/${name}\n\nSeen ${occurrences} times, last at ${lastSeen}.\n`,
    },
  ];
  const metadata = {
    version: 1 as const,
    id,
    fingerprint,
    action,
    mode,
    target,
    overlay: 'overlays/staging',
    baseCommit,
    proofDigest: `sha256:${'d'.repeat(64)}`,
    occurrences,
    lastSeen,
  };
  const request: PublishRequest = {
    id,
    branch: `salve/${id}`,
    baseCommit,
    baseBranch: 'main',
    files,
    commitMessage: `salve: ${action} for ${namespace}/${name}\n\nFingerprint: ${fingerprint}\n`,
    pr: {
      title: `salve: ${action} for ${namespace}/${name} (staging)`,
      body: `## Why this action\nOOMKilled ${occurrences} times; last seen ${lastSeen}.\n\n<!-- salve:metadata ${JSON.stringify(metadata)} -->\n`,
      labels: ['salve'],
    },
    metadata,
  };
  const remediation: Remediation = {
    id,
    branch: request.branch,
    incident,
    action: {
      id: action,
      family: 'resources',
      disruption: 1,
      params: {},
      summary: `${action} of ${namespace}/${name}`,
      rationale: [],
    },
    target: { ...target, container: 'app' },
    overlay: 'overlays/staging',
    application: `${name}-staging`,
    environment: { name: 'staging', tier: 'staging' },
    baseCommit,
    files,
    diff: { fields: [], objects: [] },
    decision,
    proofDigest: metadata.proofDigest,
    bundleDigest: `sha256:${'b'.repeat(64)}`,
  };
  return { remediation, request };
}

export function fixturePublish(o: FixtureOptions = {}): Extract<PlanResult, { kind: 'publish' }> {
  return { kind: 'publish', ...fixtureRemediation(o) };
}

/**
 * A planner for tests of the App around it: groups firing alerts by (namespace, deployment) and
 * counts occurrences per owner across runs, as perception does; one publish result per owner.
 */
export function groupingPlanner(
  options: Omit<FixtureOptions, 'namespace' | 'name' | 'occurrences'> = {},
): Planner & { calls: number } {
  const seen = new Map<string, number>();
  const planner = {
    calls: 0,
    async plan(payload: unknown, ctx: { now: Date; checkoutDir: string }): Promise<PlanResult[]> {
      planner.calls++;
      const alerts = (payload as { alerts: Array<{ status: string; labels: Record<string, string> }> }).alerts;
      const owners = new Map<string, number>();
      for (const a of alerts) {
        if (a.status !== 'firing') continue;
        const key = `${a.labels.namespace ?? 'default'}/${a.labels.deployment ?? a.labels.container ?? 'unknown'}`;
        owners.set(key, (owners.get(key) ?? 0) + 1);
      }
      return [...owners].map(([key, n]) => {
        const [namespace = '', name = ''] = key.split('/');
        const total = (seen.get(key) ?? 0) + n;
        seen.set(key, total);
        return fixturePublish({ ...options, namespace, name, occurrences: total, lastSeen: ctx.now.toISOString() });
      });
    },
  };
  return planner;
}
