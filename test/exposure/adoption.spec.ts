/**
 * Adopting Argo Rollouts, opted in, on the podinfo test bed with real git, kustomize and opa: the
 * adoption is its own PR (takeover Rollout, template unchanged, guard rails, Argo CD told to ignore
 * the Deployment's replicas); once merged, the fix ships as a canary of that Rollout; a fix waits
 * while the cluster says the Rollout is not live yet.
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseAlertmanager } from '../../engine/intake/index.ts';
import { coalesce } from '../../engine/perceive/index.ts';
import { planIncident } from '../../engine/pipeline/plan.ts';
import { type Outcome, policyDirs, prepareContext, runPlan } from '../../engine/pipeline/run.ts';
import { buildBundle, publicKeyInfo } from '../../engine/policy/index.ts';
import { makePodinfoRepo, type PodinfoRepo } from '../../engine/repo/__fixtures__/podinfo.ts';
import { loadConfig } from '../../engine/repo/index.ts';
import { silentLogger } from '../../engine/telemetry/logger.ts';
import { verifyRef } from '../../engine/verify/index.ts';
import { alertPayload, commitAll, runOptions, testKeys, writeSignal } from '../pipeline/helpers.ts';

const NOW = new Date('2025-06-12T10:00:00Z');
const SALVE_YAML = `rollouts:
  adopt: true
slos:
  - name: http-availability
    prometheus: {address: "http://prometheus.monitoring:9090"}
    errorRate: {query: 'sum(rate(http_requests_total{service="{{args.service}}",code=~"5.."}[5m]))', max: 0.01}
    latency: {query: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service="{{args.service}}"}[5m])))', maxSeconds: 0.5}
`;

let repo: PodinfoRepo | null = null;
afterEach(async () => {
  await repo?.cleanup();
  repo = null;
});

const oom = alertPayload([
  {
    alertname: 'KubePodCrashLooping',
    cluster: 'prod-cluster',
    namespace: 'production',
    pod: 'backend-5d8f7c9b6d-x2x7q',
    container: 'backend',
    reason: 'OOMKilled',
    severity: 'critical',
  },
]);

async function plan(dir: string, now = NOW): Promise<Outcome & { result: { kind: 'publish' } }> {
  const [o] = await runPlan(await runOptions(dir, [await writeSignal(oom)], now));
  if (o?.result.kind !== 'publish') throw new Error(`expected publish, got ${JSON.stringify(o?.result)}`);
  return o as Outcome & { result: { kind: 'publish' } };
}

async function verified(dir: string, ref: string, id: string) {
  const { config } = await loadConfig(dir);
  const bundle = await buildBundle(policyDirs(dir, config));
  const keys = await testKeys();
  const trustedKeys = [publicKeyInfo(keys.signingKey.publicKey, 'test')];
  return (await verifyRef({ repoDir: dir, ref, bundle, trustedKeys, ids: [id] })).map((v) => [v.ok, v.errors]);
}

async function optedIn(): Promise<string> {
  repo = await makePodinfoRepo({ git: true });
  await writeFile(join(repo.dir, '.salve.yaml'), SALVE_YAML);
  await commitAll(repo.dir, 'opt in to adopting Argo Rollouts');
  return repo.dir;
}

describe('adopting Argo Rollouts (opt-in)', () => {
  it('proposes the adoption as its own PR, then canaries the fix with the adopted Rollout', async () => {
    const dir = await optedIn();
    const appFile = 'argocd/podinfo-production.yaml';
    const appBefore = await readFile(join(dir, appFile), 'utf8');

    const adoption = await plan(dir);
    const rem = adoption.result.remediation;
    expect(rem.action.id).toBe('adopt-argo-rollouts');
    // The pod template is unchanged: no Deployment field moves, no pod restarts because of it.
    expect(rem.diff.fields.filter((f) => f.kind === 'Deployment')).toEqual([]);
    expect(rem.diff.objects.map((o) => `${o.op} ${o.kind}/${o.name}`).sort()).toEqual([
      'add AnalysisTemplate/backend-salve-guard-rails',
      'add Rollout/backend',
    ]);
    expect(rem.decision).toMatchObject({ allowed: true, mode: 'approve' });
    expect(rem.decision.rules.map((r) => r.id)).toEqual(
      expect.arrayContaining(['exposure.takeover', 'exposure.canary', 'safety.adoption-template-unchanged']),
    );
    expect(rem.action.rationale.join('\n')).toContain(
      'the fix salve would propose for the incident (raise memory limit of Deployment/backend',
    );
    // Argo CD: ignore the Deployment's replicas, and respect that when syncing; the rest as written.
    const app = rem.files.find((f) => f.path === appFile);
    expect(app?.before).toBe(appBefore);
    for (const line of appBefore.split('\n')) expect(app?.after).toContain(line);
    const spec = parse(app?.after ?? '').spec;
    expect(spec.ignoreDifferences).toEqual([
      { group: 'apps', kind: 'Deployment', name: 'backend', namespace: 'production', jsonPointers: ['/spec/replicas'] },
    ]);
    expect(spec.syncPolicy).toEqual({
      automated: { prune: true, selfHeal: true },
      syncOptions: ['RespectIgnoreDifferences=true'],
    });
    expect(await verified(dir, adoption.branch as string, rem.id)).toEqual([[true, []]]);

    // The reviewer merges the adoption; the incident recurs: the fix, canaried by the new Rollout
    // with the steps and guard rails the adoption brought, which the fix leaves as they are.
    execFileSync('git', ['-C', dir, 'reset', '-q', '--hard', adoption.commit as string]);
    const fix = await plan(dir, new Date(NOW.getTime() + 600_000));
    const fixed = fix.result.remediation;
    expect(fixed.action.id).toBe('raise-memory-limit');
    expect(fix.branch).toBe(adoption.branch);
    expect(fixed.exposure).toBeUndefined();
    expect(fixed.diff.fields.map((f) => `${f.kind} ${f.path}`)).toEqual([
      'Deployment /spec/template/spec/containers[name=backend]/resources/limits/memory',
    ]);
    expect(fixed.decision.rules).toContainEqual(
      expect.objectContaining({
        id: 'exposure.existing-controller',
        message: expect.stringContaining('Argo Rollout backend canaries this change with its own'),
      }),
    );
    expect(fixed.decision.rules.map((r) => r.id)).not.toContain('exposure.canary');
    expect(fixed.decision.rules.map((r) => r.id)).not.toContain('exposure.takeover-in-fix');
    expect(fixed.action.rationale.join('\n')).toContain('no cluster access here to confirm');
    const proof = JSON.parse(fix.result.request.files.find((f) => f.path.endsWith('/proof.json'))?.after ?? '{}');
    expect(proof.input.workload.delivery).toEqual({
      controller: 'argo-rollouts',
      kind: 'Rollout',
      name: 'backend',
      namespace: 'production',
      source: 'overlay',
      // The adoption's 10/30/60% plan: setWeight, analysis and pause each.
      steps: 9,
    });
    expect(await verified(dir, fix.branch as string, fixed.id)).toEqual([[true, []]]);
  });

  it('holds the fix while the cluster says the adopted Rollout is not live, and plans it once it is', async () => {
    const dir = await optedIn();
    const adoption = await plan(dir);
    execFileSync('git', ['-C', dir, 'reset', '-q', '--hard', adoption.commit as string]);
    const keys = await testKeys();
    const [incident] = coalesce(parseAlertmanager(oom, { now: NOW }), { now: NOW });
    if (!incident) throw new Error('expected an incident');
    const asked: string[] = [];
    const ctx = await prepareContext(dir, { signingKey: keys.signingKey, now: NOW, log: silentLogger() });
    const pending = await planIncident(incident, {
      ...ctx,
      rollouts: {
        status: async (ref) => {
          asked.push(`${ref.cluster}/${ref.namespace}/${ref.name}`);
          return 'pending';
        },
      },
    });
    expect(asked).toEqual(['prod-cluster/production/backend']);
    expect(pending).toEqual({
      kind: 'none',
      reason: expect.stringMatching(/Rollout production\/backend took over Deployment\/backend in git but is not live/),
    });
    const live = await planIncident(incident, { ...ctx, rollouts: { status: async () => 'live' } });
    expect(live.kind).toBe('publish');
    if (live.kind !== 'publish') return;
    expect(live.remediation.action.rationale.join('\n')).toContain("runs the Deployment's pods in the cluster");
  });

  it('without opt-in, ships the fix directly and says how to opt in', async () => {
    repo = await makePodinfoRepo({ git: true });
    const o = await plan(repo.dir);
    expect(o.result.remediation.action.id).toBe('raise-memory-limit');
    expect(o.result.remediation.exposure).toBeUndefined();
    expect(o.result.remediation.action.rationale.join('\n')).toContain('rollouts.adopt: true');
  });
});
