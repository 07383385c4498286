/**
 * Existing progressive delivery on the Flagger test bed (`../shared/testbeds/flagger`, used as it
 * is plus a Canary and an Argo CD Application in a temp copy): a Deployment a Flagger Canary drives,
 * in the same overlay or anywhere in the repo for its namespace, is never taken over or adopted;
 * the fix ships on the Deployment and the PR names the Canary that will canary it.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type Outcome, policyDirs, runPlan } from '../../engine/pipeline/run.ts';
import { buildBundle, publicKeyInfo } from '../../engine/policy/index.ts';
import { argoApplication } from '../../engine/repo/__fixtures__/podinfo.ts';
import { loadConfig } from '../../engine/repo/index.ts';
import { verifyRef } from '../../engine/verify/index.ts';
import { alertPayload, commitAll, runOptions, testKeys, writeSignal } from '../pipeline/helpers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FLAGGER = join(ROOT, '..', 'shared', 'testbeds', 'flagger');
const NOW = new Date('2025-06-12T10:00:00Z');

const CANARY = (namespace?: string) => `apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: podinfo
${namespace ? `  namespace: ${namespace}\n` : ''}spec:
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: podinfo
  autoscalerRef:
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    name: podinfo
  service:
    port: 9898
  analysis:
    interval: 1m
    threshold: 5
    maxWeight: 50
    stepWeight: 10
`;

let dir: string | null = null;

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

/** The test bed with an Application for kustomize/podinfo (namespace test) in production, opted in to adoption. */
async function flaggerRepo(extra: Record<string, string>): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'salve-flagger-'));
  await cp(FLAGGER, dir, { recursive: true });
  execFileSync('chmod', ['-R', 'u+w', dir]);
  const files: Record<string, string> = {
    'argocd/podinfo.yaml': argoApplication('podinfo', 'kustomize/podinfo', 'prod-cluster', 'test'),
    '.salve.yaml':
      'environments:\n  - name: production\n    tier: production\n    clusters: [prod-cluster]\n# Even opted in, a workload Flagger drives is never adopted.\nrollouts:\n  adopt: true\n',
    ...extra,
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  await commitAll(dir, 'flagger test bed with a Canary');
  return dir;
}

const oom = alertPayload([
  {
    alertname: 'KubePodCrashLooping',
    cluster: 'prod-cluster',
    namespace: 'test',
    pod: 'podinfo-5d8f7c9b6d-x2x7q',
    container: 'podinfod',
    reason: 'OOMKilled',
    severity: 'critical',
  },
]);

async function planOom(repo: string): Promise<Outcome & { result: { kind: 'publish' } }> {
  const [o] = await runPlan(await runOptions(repo, [await writeSignal(oom)], NOW));
  if (o?.result.kind !== 'publish') throw new Error(`expected publish, got ${JSON.stringify(o?.result)}`);
  return o as Outcome & { result: { kind: 'publish' } };
}

async function verified(repo: string, ref: string) {
  const { config } = await loadConfig(repo);
  const bundle = await buildBundle(policyDirs(repo, config));
  const keys = await testKeys();
  return verifyRef({ repoDir: repo, ref, bundle, trustedKeys: [publicKeyInfo(keys.signingKey.publicKey, 'test')] });
}

function expectNoTakeover(o: Outcome & { result: { kind: 'publish' } }) {
  const rem = o.result.remediation;
  expect(rem.action.id).toBe('raise-memory-limit');
  expect(rem.exposure).toBeUndefined();
  expect(rem.diff.objects).toEqual([]);
  expect(rem.diff.fields).toEqual([
    expect.objectContaining({
      kind: 'Deployment',
      name: 'podinfo',
      path: '/spec/template/spec/containers[name=podinfod]/resources/limits/memory',
      after: '768Mi',
    }),
  ]);
  expect(rem.files.map((f) => f.path).some((p) => p.includes('exposure') || p.includes('rollout'))).toBe(false);
  const ids = rem.decision.rules.map((r) => r.id);
  expect(ids).not.toContain('exposure.direct');
  expect(ids).not.toContain('exposure.takeover');
}

describe('existing progressive delivery (Flagger test bed)', () => {
  it('leaves a Deployment under a Canary of the same overlay to Flagger, and says Flagger canaries the fix', async () => {
    const kustomization = join(FLAGGER, 'kustomize/podinfo/kustomization.yaml');
    const repo = await flaggerRepo({
      'kustomize/podinfo/canary.yaml': CANARY(),
      'kustomize/podinfo/kustomization.yaml': `${await readFile(kustomization, 'utf8')}  - canary.yaml\n`,
    });
    const o = await planOom(repo);
    expectNoTakeover(o);
    const rule = o.result.remediation.decision.rules.find((r) => r.id === 'exposure.existing-controller');
    expect(rule?.message).toBe(
      "Flagger Canary podinfo canaries this change when Deployment/podinfo's pod template changes; salve adds no controller of its own",
    );
    expect(o.result.request.pr.body).toContain('Flagger Canary podinfo canaries this change');
    const proof = JSON.parse(o.result.request.files.find((f) => f.path.endsWith('/proof.json'))?.after ?? '{}');
    expect(proof.input.workload.delivery).toEqual({
      controller: 'flagger',
      kind: 'Canary',
      name: 'podinfo',
      namespace: 'test',
      source: 'overlay',
    });
    expect((await verified(repo, o.branch as string)).map((v) => [v.ok, v.errors])).toEqual([[true, []]]);
  });

  it('finds a Canary declared elsewhere in the repo for the namespace, and names its file', async () => {
    const repo = await flaggerRepo({ 'flagger-canaries/test/podinfo.yaml': CANARY('test') });
    const o = await planOom(repo);
    expectNoTakeover(o);
    const rule = o.result.remediation.decision.rules.find((r) => r.id === 'exposure.existing-controller');
    expect(rule?.message).toContain('Flagger Canary podinfo (declared in flagger-canaries/test/podinfo.yaml)');
  });

  it("does not mistake a Canary of another namespace for this workload's: opted in, salve proposes adoption", async () => {
    const repo = await flaggerRepo({ 'flagger-canaries/staging/podinfo.yaml': CANARY('staging') });
    const o = await planOom(repo);
    const rem = o.result.remediation;
    expect(rem.decision.rules.map((r) => r.id)).not.toContain('exposure.existing-controller');
    expect(rem.action.id).toBe('adopt-argo-rollouts');
    expect((await verified(repo, o.branch as string)).map((v) => [v.ok, v.errors])).toEqual([[true, []]]);
  });
});
