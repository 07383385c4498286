import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from '../../model/remediation.ts';
import { openSnapshot } from '../../repo/snapshot.ts';
import { locateKustomize } from '../../tools/index.ts';
import { findDelivery, renderedDelivery, repoDelivery } from './delivery.ts';

const BED = join(fileURLToPath(new URL('../../../..', import.meta.url)), 'shared', 'testbeds', 'argo-rollouts');

/** A root of the test bed, built as upstream builds it (the test bed reads ../rollout-transform.yaml). */
function render(root: string): K8sObject[] {
  const { command } = locateKustomize();
  const out = execFileSync(command, ['build', '--load-restrictor', 'LoadRestrictionsNone', root], {
    cwd: BED,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return parseAllDocuments(out).map((d) => d.toJS() as K8sObject);
}

/** argo-rollouts' own kustomize test: a Rollout whose workloadRef names a Deployment, under namePrefix my-. */
const renderUpstreamTest = () => render('test/kustomize/rollout');

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'salve-delivery-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmp, 'repo-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

const rollout = (name: string, target: string, ns?: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: ${name}\n${ns ? `  namespace: ${ns}\n` : ''}spec:\n  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: ${target}}\n`;

describe('render/rollouts/delivery', () => {
  it("finds the upstream test's Rollout by its workloadRef, names as kustomize renders them (namePrefix)", () => {
    const objects = renderUpstreamTest();
    expect(renderedDelivery(objects, { kind: 'Deployment', name: 'my-deployment' })).toEqual({
      controller: 'argo-rollouts',
      kind: 'Rollout',
      name: 'my-guestbook',
      source: 'overlay',
      // Its own canary steps, counted: they canary any change to the Deployment's template.
      steps: 2,
      strategy: 'canary',
      // And its background analysis, by the template's name as rendered.
      analysis: ['my-random-fail'],
    });
    // The pre-prefix name is not what renders: it names nothing.
    expect(renderedDelivery(objects, { kind: 'Deployment', name: 'deployment' })).toBeNull();
  });

  it("reads the documented example's blue/green strategy as rendered (namePrefix on the Rollout and its Service)", () => {
    const objects = render('docs/features/kustomize/example');
    expect(renderedDelivery(objects, { kind: 'Rollout', name: 'my-rollouts-demo' })).toEqual({
      controller: 'argo-rollouts',
      kind: 'Rollout',
      name: 'my-rollouts-demo',
      source: 'overlay',
      strategy: 'blueGreen',
      blueGreen: { activeService: 'my-rollouts-demo-svc' },
    });
  });

  it('reads blue/green promotion and analysis, and keeps only Kubernetes names of what it quotes', async () => {
    const dir = await tree({
      'shop/kustomization.yaml': 'namespace: shop\nresources: [web.yaml]\n',
      'shop/web.yaml': `${rollout('web', 'web')}  strategy:
    blueGreen:
      activeService: web
      previewService: "web-preview\\n## injected"
      autoPromotionEnabled: false
      autoPromotionSeconds: 30
      prePromotionAnalysis:
        templates: [{templateName: smoke}, {templateName: "<img src=x>"}, {templateName: error-rate}]
      postPromotionAnalysis: {templates: [{templateName: latency}]}
`,
    });
    expect(await repoDelivery(dir, { kind: 'Deployment', name: 'web', namespace: 'shop' })).toEqual({
      controller: 'argo-rollouts',
      kind: 'Rollout',
      name: 'web',
      namespace: 'shop',
      source: 'shop/web.yaml',
      strategy: 'blueGreen',
      blueGreen: {
        activeService: 'web',
        autoPromotionEnabled: false,
        autoPromotionSeconds: 30,
        prePromotionAnalysis: ['smoke', 'error-rate'],
        postPromotionAnalysis: ['latency'],
      },
    });
  });

  it("reads a canary's background analysis with no steps, and a canary with neither as a bare canary", async () => {
    const dir = await tree({
      'a/web.yaml': `${rollout('web', 'web', 'a')}  strategy:\n    canary:\n      analysis: {templates: [{templateName: success-rate}]}\n`,
      'b/web.yaml': `${rollout('web', 'web', 'b')}  strategy:\n    canary: {}\n`,
    });
    expect(await repoDelivery(dir, { kind: 'Deployment', name: 'web', namespace: 'a' })).toMatchObject({
      strategy: 'canary',
      analysis: ['success-rate'],
    });
    const bare = await repoDelivery(dir, { kind: 'Deployment', name: 'web', namespace: 'b' });
    expect(bare).toMatchObject({ strategy: 'canary' });
    expect(bare).not.toHaveProperty('steps');
    expect(bare).not.toHaveProperty('analysis');
  });

  it('finds a Rollout elsewhere in the repo by the namespace of its nearest kustomization', async () => {
    const dir = await tree({
      'rollouts/shop/kustomization.yaml': 'namespace: shop # production\nresources:\n  - web.yaml\n',
      'rollouts/shop/web.yaml': rollout('web', 'web'),
      'rollouts/other/web.yaml': rollout('web', 'web', 'other'),
    });
    expect(await repoDelivery(dir, { kind: 'Deployment', name: 'web', namespace: 'shop' })).toEqual({
      controller: 'argo-rollouts',
      kind: 'Rollout',
      name: 'web',
      namespace: 'shop',
      source: 'rollouts/shop/web.yaml',
    });
    expect(await repoDelivery(dir, { kind: 'Deployment', name: 'web', namespace: 'payments' })).toBeNull();
  });

  it("with a commit's memo, searches the repo once per target and hands each run its own copy", async () => {
    const dir = await tree({
      'rollouts/shop/kustomization.yaml': 'namespace: shop\nresources:\n  - web.yaml\n',
      'rollouts/shop/web.yaml': rollout('web', 'web'),
    });
    const kept = new Map<string, Promise<unknown>>();
    const memo = {
      once<T>(key: string, make: () => Promise<T>): Promise<T> {
        if (!kept.has(key)) kept.set(key, make());
        return kept.get(key) as Promise<T>;
      },
    };
    const target = { kind: 'Deployment', name: 'web', namespace: 'shop' };
    const first = await findDelivery(dir, [], target, memo);
    expect(first).toMatchObject({ controller: 'argo-rollouts', name: 'web', source: 'rollouts/shop/web.yaml' });
    // The repo changes under the memo: the kept answer is the commit's, and a copy.
    await rm(join(dir, 'rollouts'), { recursive: true });
    const second = await findDelivery(dir, [], target, memo);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect(await findDelivery(dir, [], { ...target, namespace: 'other' }, memo)).toEqual({ controller: 'none' });
    expect(await findDelivery(dir, [], target)).toEqual({ controller: 'none' });
    expect([...kept.keys()]).toHaveLength(2);
  });

  it('finds the same Rollout from a commit, where one search picks the files to read (a link among them)', async () => {
    const dir = await tree({
      'rollouts/shop/kustomization.yaml': 'namespace: shop\nresources:\n  - web.yaml\n',
      'rollouts/shop/web.yaml': rollout('web', 'web'),
      'rollouts/other/web.txt': rollout('web', 'web', 'other'),
      'apps/web/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n',
    });
    await symlink('../rollouts/other/web.txt', join(dir, 'apps/other.yaml'));
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args], { encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'c');
    const snapshot = await openSnapshot(dir, git('rev-parse', 'HEAD').trim());
    // The working tree moves on: what the commit holds is what counts.
    await rm(join(dir, 'rollouts/shop/web.yaml'));
    expect(await repoDelivery(snapshot, { kind: 'Deployment', name: 'web', namespace: 'shop' })).toEqual({
      controller: 'argo-rollouts',
      kind: 'Rollout',
      name: 'web',
      namespace: 'shop',
      source: 'rollouts/shop/web.yaml',
    });
    expect(await repoDelivery(snapshot, { kind: 'Deployment', name: 'web', namespace: 'other' })).toMatchObject({
      source: 'apps/other.yaml',
    });
    expect(await repoDelivery(snapshot, { kind: 'Deployment', name: 'web', namespace: 'payments' })).toBeNull();
  });

  it('skips files that do not parse and files over the size bound, and says none when nothing drives the workload', async () => {
    const dir = await tree({
      'broken.yaml': 'kind: Canary\nmetadata: {name: web\n',
      'huge.yaml': `${rollout('web', 'web', 'shop')}# ${'x'.repeat(1_100_000)}\n`,
    });
    expect(await findDelivery(dir, [], { kind: 'Deployment', name: 'web', namespace: 'shop' })).toEqual({
      controller: 'none',
    });
  });
});
