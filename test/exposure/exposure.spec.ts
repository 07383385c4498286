/**
 * Safe exposure end to end against real tools: the plan from the real wasm bundle, the Rollout and
 * AnalysisTemplate built by real kustomize, checked against the shipped CRD schemas, and held to the
 * plan by the verifier's check.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateArgoRollouts } from '../../engine/check/crd-schema.ts';
import { checkDeclaredEffects, renderedDiff } from '../../engine/check/index.ts';
import type { FileChange } from '../../engine/model/index.ts';
import type { ExposurePlan, PolicyInput } from '../../engine/model/policy.ts';
import type { K8sObject } from '../../engine/model/remediation.ts';
import { makeInput } from '../../engine/policy/fixtures.ts';
import { buildBundle, type PolicyBundle } from '../../engine/policy/index.ts';
import {
  expectedExposure,
  finishExposure,
  loadExposurePlanner,
  prepareExposure,
} from '../../engine/render/rollouts/index.ts';
import { buildOverlay } from '../../engine/repo/index.ts';
import { checkExposure } from '../../engine/verify/exposure.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PODINFO = join(ROOT, '..', 'shared', 'testbeds', 'podinfo');
const SLO = {
  name: 'http-availability',
  prometheus: { address: 'http://prometheus.monitoring:9090' },
  errorRate: {
    query:
      'sum(rate(http_requests_total{service="{{args.service}}",code=~"5.."}[5m])) / sum(rate(http_requests_total{service="{{args.service}}"}[5m]))',
    max: 0.01,
  },
  latency: {
    query:
      'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service="{{args.service}}"}[5m])))',
    maxSeconds: 0.5,
  },
};

let bundle: PolicyBundle;
let tmp: string;

function production(overrides: Parameters<typeof makeInput>[0] = {}): PolicyInput {
  return makeInput({
    environment: { name: 'production', tier: 'production' },
    settings: { slos: [SLO] },
    ...overrides,
  });
}

/** Adopting Argo Rollouts for a plain production Deployment: the only change that takes one over. */
function adoption(name: string, overrides: Parameters<typeof makeInput>[0] = {}): PolicyInput {
  return production({
    action: { id: 'adopt-argo-rollouts', family: 'workload', disruption: 4, params: { deployment: name } },
    target: { kind: 'Deployment', name, namespace: 'production' },
    change: { fields: [], objects: [] },
    ...overrides,
  });
}

async function planFor(input: PolicyInput): Promise<ExposurePlan | null> {
  return (await loadExposurePlanner(bundle)).plan(input);
}

async function writeFiles(dir: string, files: readonly FileChange[]): Promise<void> {
  for (const f of files) {
    if (f.after === null) throw new Error(`${f.path}: an exposure never deletes a file`);
    await mkdir(dirname(join(dir, f.path)), { recursive: true });
    await writeFile(join(dir, f.path), f.after);
  }
}

/** Renders the plan into a copy of `src`, builds it with kustomize, and checks it as the pipeline does. */
async function expose(src: string, overlay: string, target: { kind: string; name: string }, plan: ExposurePlan) {
  const dir = await mkdtemp(join(tmp, 'repo-'));
  await cp(src, dir, { recursive: true });
  const before = await buildOverlay(dir, overlay);
  const repo = {
    dir,
    resolution: { overlay, application: { namespace: '' } },
    objects: before.objects,
    kustomizationPath: `${overlay}/kustomization.yaml`,
    readFile: (p: string) => readFile(join(dir, p), 'utf8').catch(() => null),
  };
  const stage = await prepareExposure(plan, before.objects, target, repo, [], 'Managed by salve: test.');
  if (!stage) throw new Error('expected an exposure stage');
  await writeFiles(dir, stage.files);
  const after = await buildOverlay(dir, overlay);
  const diff = renderedDiff(before.objects, after.objects);
  checkDeclaredEffects(diff, stage.expected.effects);
  return {
    dir,
    stage,
    before: before.objects,
    after: after.objects,
    diff,
    checked: await finishExposure(stage, diff, after.objects),
  };
}

const ROLLOUT_REPO = {
  'app/base/kustomization.yaml': 'resources:\n  - rollout.yaml\n',
  'app/base/rollout.yaml': `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: storefront
spec:
  replicas: 2
  selector:
    matchLabels: {app: storefront}
  template:
    metadata:
      labels: {app: storefront}
    spec:
      containers:
        - name: web
          image: ghcr.io/example-org/storefront:1.0.0
  strategy:
    canary:
      steps:
        - setWeight: 50
        - pause: {}
`,
  'app/prod/kustomization.yaml': `namespace: shop
resources:
  - ../base
configurations:
  - rollout-replicas.yaml
replicas:
  - name: storefront
    count: 4
images:
  - name: ghcr.io/example-org/storefront
    newTag: 1.1.0
`,
};

beforeAll(async () => {
  bundle = await buildBundle([join(ROOT, 'policies')]);
  tmp = await mkdtemp(join(tmpdir(), 'salve-exposure-'));
  const repo = join(tmp, 'rollout-src');
  for (const [path, text] of Object.entries(ROLLOUT_REPO)) {
    await mkdir(dirname(join(repo, path)), { recursive: true });
    await writeFile(join(repo, path), text);
  }
  const { ROLLOUT_REPLICAS_CONFIGURATION } = await import('../../engine/render/rollouts/index.ts');
  await writeFile(join(repo, 'app/prod/rollout-replicas.yaml'), ROLLOUT_REPLICAS_CONFIGURATION);
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('exposure', () => {
  it('plans no canary for a tier with no canary requirement, and none for an HPA in production', async () => {
    expect(await planFor(makeInput({ settings: { slos: [SLO] } }))).toBeNull();
    expect(
      await planFor(
        production({ action: { id: 'raise-hpa-max-replicas' }, target: { kind: 'HorizontalPodAutoscaler' } }),
      ),
    ).toBeNull();
    expect(await planFor(production({ target: { kind: 'StatefulSet' } }))).toBeNull();
    // A fix to a plain Deployment ships directly: a takeover is never part of a fix.
    expect(await planFor(production({ target: { kind: 'Deployment', name: 'backend' } }))).toBeNull();
  });

  it('adopts Argo Rollouts for the podinfo Deployment with a Rollout and guard rails that pass the CRD schemas', async () => {
    const plan = await planFor(adoption('backend'));
    expect(plan?.steps.map((s) => s.weight)).toEqual([10, 30, 60]);
    if (!plan) return;
    const { after, diff, checked } = await expose(
      PODINFO,
      'deploy/overlays/production',
      { kind: 'Deployment', name: 'backend' },
      plan,
    );
    // backend's HorizontalPodAutoscaler follows the workload to the Rollout.
    expect(diff.fields.map((f) => `${f.kind}/${f.name} ${f.path}: ${f.before} -> ${f.after}`)).toEqual([
      'HorizontalPodAutoscaler/backend /spec/scaleTargetRef/apiVersion: apps/v1 -> argoproj.io/v1alpha1',
      'HorizontalPodAutoscaler/backend /spec/scaleTargetRef/kind: Deployment -> Rollout',
    ]);
    expect(diff.objects.map((o) => `${o.op} ${o.kind}/${o.namespace}/${o.name}`)).toEqual([
      'add AnalysisTemplate/production/backend-salve-guard-rails',
      'add Rollout/production/backend',
    ]);
    const exposure = after.filter((o) => o.apiVersion.startsWith('argoproj.io/'));
    expect(await validateArgoRollouts(exposure)).toEqual([]);
    const rollout = exposure.find((o) => o.kind === 'Rollout') as K8sObject;
    const deployment = after.find((o) => o.kind === 'Deployment' && o.metadata.name === 'backend') as K8sObject;
    expect((rollout.spec as { replicas: number }).replicas).toBe((deployment.spec as { replicas: number }).replicas);
    expect(checked.change).toEqual({ fields: [], objects: [] });
    expect(checked.exposure.objects.map((o) => `${o.op} ${o.kind}`)).toEqual([
      'add Rollout',
      'add AnalysisTemplate',
      'patch HorizontalPodAutoscaler',
    ]);
    await expect(
      JSON.stringify(
        exposure.map((o) => ({ ...o, metadata: { name: o.metadata.name } })),
        null,
        2,
      ),
    ).toMatchFileSnapshot('__snapshots__/podinfo-takeover.json');
  });

  it('lets the overlay replicas: entry reach the Rollout through the configurations entry it adds', async () => {
    const plan = await planFor(adoption('backend'));
    if (!plan) throw new Error('expected a plan');
    const { dir, after } = await expose(
      PODINFO,
      'deploy/overlays/production',
      { kind: 'Deployment', name: 'backend' },
      plan,
    );
    const kustomization = join(dir, 'deploy/overlays/production/kustomization.yaml');
    await writeFile(
      kustomization,
      `${await readFile(kustomization, 'utf8')}\nreplicas:\n  - name: backend\n    count: 7\n`,
    );
    const rebuilt = await buildOverlay(dir, 'deploy/overlays/production');
    const replicas = (o: K8sObject | undefined) => (o?.spec as { replicas?: number } | undefined)?.replicas;
    expect(replicas(rebuilt.objects.find((o) => o.kind === 'Rollout'))).toBe(7);
    expect(replicas(rebuilt.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'backend'))).toBe(7);
    expect(replicas(after.find((o) => o.kind === 'Rollout'))).not.toBe(7);
  });

  it("patches an existing Rollout's canary steps; images: and replicas: keep working on it", async () => {
    const plan = await planFor(
      production({
        action: { id: 'rollback-image', family: 'workload', disruption: 3 },
        target: { kind: 'Rollout', name: 'storefront' },
      }),
    );
    if (!plan) throw new Error('expected a plan');
    const { after, diff, checked } = await expose(
      join(tmp, 'rollout-src'),
      'app/prod',
      { kind: 'Rollout', name: 'storefront' },
      plan,
    );
    const rollout = after.find((o) => o.kind === 'Rollout') as K8sObject & { spec: Record<string, any> };
    expect(rollout.spec.replicas).toBe(4);
    expect(rollout.spec.template.spec.containers[0].image).toBe('ghcr.io/example-org/storefront:1.1.0');
    expect(
      rollout.spec.strategy.canary.steps
        .filter((s: object) => 'setWeight' in s)
        .map((s: { setWeight: number }) => s.setWeight),
    ).toEqual([10, 30, 60]);
    expect(diff.objects.map((o) => o.kind)).toEqual(['AnalysisTemplate']);
    expect(diff.fields.every((f) => f.path.startsWith('/spec/strategy/canary/steps'))).toBe(true);
    expect(checked.exposure.change.fields).toHaveLength(diff.fields.length);
    expect(await validateArgoRollouts(after)).toEqual([]);
    await expect(JSON.stringify(rollout.spec.strategy, null, 2)).toMatchFileSnapshot(
      '__snapshots__/rollout-steps.json',
    );
  });

  it('catches a misspelled field in a generated Rollout against the real CRD schema', async () => {
    const plan = await planFor(adoption('podinfo'));
    if (!plan) throw new Error('expected a plan');
    const base: K8sObject[] = [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'podinfo', namespace: 'podinfo' },
        spec: { replicas: 2 },
      },
    ];
    const expected = expectedExposure(plan, base, { kind: 'Deployment', name: 'podinfo' });
    const rollout = expected?.added.find((o) => o.kind === 'Rollout') as K8sObject & { spec: Record<string, any> };
    expect(await validateArgoRollouts(expected?.added ?? [])).toEqual([]);
    const typo = {
      ...rollout,
      spec: { ...rollout.spec, strategy: { canary: { stepz: rollout.spec.strategy.canary.steps } } },
    };
    expect(await validateArgoRollouts([typo])).toEqual([
      expect.objectContaining({
        kind: 'Rollout',
        path: '/spec/strategy/canary/stepz',
        message: 'unknown field "stepz"',
      }),
    ]);
  });

  it('verifies a branch whose canary is the plan, and names what differs when it is not', async () => {
    const input = adoption('backend');
    const plan = await planFor(input);
    if (!plan) throw new Error('expected a plan');
    const { before, after, diff, checked } = await expose(
      PODINFO,
      'deploy/overlays/production',
      { kind: 'Deployment', name: 'backend' },
      plan,
    );
    const proof = { input: { ...input, change: checked.change, exposure: checked.exposure } } as Parameters<
      typeof checkExposure
    >[0];
    const ok = await checkExposure(proof, bundle, before, after);
    expect(ok.problems).toEqual([]);
    expect(JSON.stringify(ok.recorded)).toBe(
      JSON.stringify((await import('../../engine/policy/index.ts')).canonicalDiff(diff)),
    );

    const weakened = after.map((o) => {
      if (o.kind !== 'Rollout') return o;
      const spec = structuredClone(o.spec) as { strategy: { canary: { steps: Array<Record<string, unknown>> } } };
      spec.strategy.canary.steps[0] = { setWeight: 100 };
      return { ...o, spec };
    });
    const bad = await checkExposure(proof, bundle, before, weakened);
    expect(bad.problems.join('\n')).toMatch(
      /Rollout\/backend \/spec\/strategy\/canary\/steps\/0\/setWeight differs from the exposure plan: rendered 100, the plan gives 10/,
    );

    const forged = {
      input: {
        ...proof.input,
        exposure: { ...checked.exposure, plan: { ...plan, steps: [{ weight: 99, pauseSeconds: 0, analysis: false }] } },
      },
    } as typeof proof;
    const drift = await checkExposure(forged, bundle, before, after);
    expect(drift.problems.join('\n')).toMatch(/exposure plan in the proof differs from the one policy decides/);

    // The same takeover recorded on a fix: policy gives a plain Deployment's fix no canary at all.
    const fix = {
      input: { ...proof.input, action: { id: 'raise-memory-limit', family: 'resources', disruption: 2, params: {} } },
    } as typeof proof;
    expect((await checkExposure(fix, bundle, before, after)).problems).toEqual([
      'the proof records an exposure plan, and policy asks for none',
    ]);
  });
});
