/**
 * A fix under a blue/green Argo Rollout, end to end on a copy of the argo-rollouts test bed's
 * documented example (`docs/features/kustomize/example`: a Rollout with `strategy.blueGreen`, its
 * active Service, namePrefix my-, generated ConfigMap and Secret), with a real kustomize render
 * and opa. The Rollout releases the fix blue/green as it releases any change: the PR changes the
 * memory limit only, adds no plan, and says how the change ships, from the Rollout's own fields.
 *
 * The copy differs from the bed in two ways, both for reasons salve states: the example reads
 * `../rollout-transform.yaml` from outside its root, which kustomize allows only with
 * `--load-restrictor LoadRestrictionsNone` and salve never builds with (so the file is copied into
 * the root); and its container sets no memory limit, so there is none to raise (one is added).
 */
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
import { alertPayload, commitAll, runOptions, testKeys, writeSignal } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BED = join(ROOT, '..', 'shared', 'testbeds', 'argo-rollouts');
const EXAMPLE = 'docs/features/kustomize/example';
const NOW = new Date('2025-06-12T10:00:00Z');
const PASSWORD = 'Pa55w0rd';

let dir: string | null = null;

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

/** The bed's example as a production config repo (namespace demo), with `edit` applied to the Rollout's file. */
async function exampleRepo(edit: (rollout: string) => string = (t) => t): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'salve-bluegreen-'));
  await cp(BED, dir, { recursive: true });
  const root = join(dir, EXAMPLE);
  const kustomization = await readFile(join(root, 'kustomization.yaml'), 'utf8');
  const rollout = await readFile(join(root, 'rollouts-demo.yaml'), 'utf8');
  const withLimit = rollout.replace(
    '        ports:\n',
    '        resources:\n          limits:\n            memory: 256Mi\n        ports:\n',
  );
  expect(withLimit).not.toBe(rollout);
  const files: Record<string, string> = {
    [`${EXAMPLE}/kustomization.yaml`]: kustomization.replace('- ../rollout-transform.yaml', '- rollout-transform.yaml'),
    [`${EXAMPLE}/rollout-transform.yaml`]: await readFile(
      join(dir, 'docs/features/kustomize/rollout-transform.yaml'),
      'utf8',
    ),
    [`${EXAMPLE}/rollouts-demo.yaml`]: edit(withLimit),
    'argocd/rollouts-demo.yaml': argoApplication('rollouts-demo', EXAMPLE, 'prod-cluster', 'demo'),
    '.salve.yaml': 'environments:\n  - name: production\n    tier: production\n    clusters: [prod-cluster]\n',
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  await commitAll(dir, 'argo-rollouts blue/green example, buildable with the default load restrictor');
  return dir;
}

const oom = alertPayload([
  {
    alertname: 'KubePodCrashLooping',
    cluster: 'prod-cluster',
    namespace: 'demo',
    pod: 'my-rollouts-demo-7f9c6b8d5c-x2x7q',
    container: 'rollouts-demo',
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

describe('a fix under a blue/green Rollout (argo-rollouts test bed)', () => {
  it('raises the memory limit only, adds no plan, and says the Rollout releases it blue/green', async () => {
    const repo = await exampleRepo();
    const o = await planOom(repo);
    const rem = o.result.remediation;
    expect(rem.action.id).toBe('raise-memory-limit');
    expect(rem.target).toMatchObject({ kind: 'Rollout', name: 'my-rollouts-demo', namespace: 'demo' });
    // Real kustomize, base and branch: one field of the Rollout, nothing added, the strategy as it was.
    expect(rem.diff.fields).toEqual([
      expect.objectContaining({
        kind: 'Rollout',
        name: 'my-rollouts-demo',
        path: '/spec/template/spec/containers[name=rollouts-demo]/resources/limits/memory',
        before: '256Mi',
        after: '384Mi',
      }),
    ]);
    expect(rem.diff.objects).toEqual([]);
    expect(rem.exposure).toBeUndefined();
    expect(rem.files.map((f) => f.path)).not.toContainEqual(expect.stringMatching(/exposure|guard-rails/));
    const message =
      "Argo Rollout my-rollouts-demo releases this change blue/green when Rollout/my-rollouts-demo's pod template changes: the new ReplicaSet comes up with no preview Service, then is promoted to active Service my-rollouts-demo-svc as soon as it is ready (autoPromotionEnabled: unset, so true), with no analysis before or after promotion; salve adds no controller of its own and leaves the team's strategy as it is";
    expect(rem.decision.allowed).toBe(true);
    expect(rem.decision.rules).toContainEqual({ id: 'exposure.existing-controller', effect: 'allow', message });
    const ids = rem.decision.rules.map((r) => r.id);
    for (const id of ['exposure.plan-missing', 'exposure.canary', 'exposure.direct', 'exposure.takeover-in-fix'])
      expect(ids).not.toContain(id);
    // One replica, but blue/green: the new pod comes up beside the active one, no outage to warn of.
    expect(ids).not.toContain('safety.single-replica-restart');
    expect(ids).toContain('safety.memory-within-bounds');
    const body = o.result.request.pr.body;
    expect(body).toContain('releases this change blue/green');
    expect(body).toContain('my-rollouts-demo-svc');
    // The example's generated Secret is in the render salve diffs: no text salve writes adds it
    // (the kustomization's own secretGenerator literal stays where the team wrote it).
    const encoded = Buffer.from(PASSWORD).toString('base64');
    for (const text of [body, ...o.result.request.files.filter((f) => f.before === null).map((f) => f.after)]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(encoded);
    }
    for (const f of o.result.request.files.filter((x) => x.before !== null))
      expect((f.after ?? '').split(PASSWORD).length).toBe((f.before as string).split(PASSWORD).length);
    const proof = JSON.parse(o.result.request.files.find((f) => f.path.endsWith('/proof.json'))?.after ?? '{}');
    expect(proof.input.workload.delivery).toEqual({
      controller: 'argo-rollouts',
      kind: 'Rollout',
      name: 'my-rollouts-demo',
      namespace: 'demo',
      source: 'overlay',
      strategy: 'blueGreen',
      blueGreen: { activeService: 'my-rollouts-demo-svc' },
    });
    expect((await verified(repo, o.branch as string)).map((v) => [v.ok, v.errors])).toEqual([[true, []]]);
  });

  it('names the preview Service, the analysis and a promotion a human gives, as the Rollout declares them', async () => {
    const repo = await exampleRepo((t) =>
      t.replace(
        '      activeService: rollouts-demo-svc\n',
        '      activeService: rollouts-demo-svc\n      previewService: rollouts-demo-svc\n      autoPromotionEnabled: false\n      prePromotionAnalysis:\n        templates: [{templateName: smoke}]\n',
      ),
    );
    const o = await planOom(repo);
    const rule = o.result.remediation.decision.rules.find((r) => r.id === 'exposure.existing-controller');
    // The Rollout transformer renames both Services with the prefix; the template name is as written.
    expect(rule?.message).toContain(
      'comes up behind preview Service my-rollouts-demo-svc, is analysed before promotion (prePromotionAnalysis: smoke), then waits for a human to promote it to active Service my-rollouts-demo-svc (autoPromotionEnabled: false);',
    );
    expect(o.result.remediation.diff.fields).toHaveLength(1);
  });

  it('fixes the Deployment a blue/green Rollout runs through workloadRef, and says that Rollout releases it', async () => {
    // The example as Argo Rollouts documents workloadRef: the pod template in a Deployment of the
    // same name, the Rollout referencing it (the transformer config renames the reference too).
    const repo = await exampleRepo((t) => {
      const [rollout = '', service = ''] = t.split('\n---\n');
      const template = rollout.slice(rollout.indexOf('  selector:'), rollout.indexOf('  strategy:'));
      const deployment = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: rollouts-demo\nspec:\n  replicas: 0\n${template}`;
      const referencing = rollout.replace(
        template,
        '  selector:\n    matchLabels:\n      app: rollouts-demo\n  workloadRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: rollouts-demo\n',
      );
      return [deployment, referencing, service].join('\n---\n');
    });
    const o = await planOom(repo);
    const rem = o.result.remediation;
    expect(rem.target).toMatchObject({ kind: 'Deployment', name: 'my-rollouts-demo' });
    expect(rem.diff.fields.map((f) => `${f.kind} ${f.path} ${f.after}`)).toEqual([
      'Deployment /spec/template/spec/containers[name=rollouts-demo]/resources/limits/memory 384Mi',
    ]);
    expect(rem.diff.objects).toEqual([]);
    expect(rem.exposure).toBeUndefined();
    const rule = rem.decision.rules.find((r) => r.id === 'exposure.existing-controller');
    expect(rule?.message).toMatch(
      /^Argo Rollout my-rollouts-demo releases this change blue\/green when Deployment\/my-rollouts-demo's pod template changes: the new ReplicaSet comes up with no preview Service, then is promoted to active Service my-rollouts-demo-svc/,
    );
    expect(rem.action.rationale.join('\n')).toContain(
      'Rollout my-rollouts-demo (workloadRef) releases this change blue/green. salve has no cluster access here',
    );
    expect(rem.action.rationale.join('\n')).toContain('skips the preview and promotion');
    expect((await verified(repo, o.branch as string)).map((v) => [v.ok, v.errors])).toEqual([[true, []]]);
  });
});
