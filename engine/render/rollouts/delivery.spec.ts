import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from '../../model/remediation.ts';
import { locateKustomize } from '../../tools/index.ts';
import { findDelivery, renderedDelivery, repoDelivery } from './delivery.ts';

const BED = join(fileURLToPath(new URL('../../../..', import.meta.url)), 'shared', 'testbeds', 'argo-rollouts');

/** argo-rollouts' own kustomize test: a Rollout whose workloadRef names a Deployment, under namePrefix my-. */
function renderUpstreamTest(): K8sObject[] {
  const { command } = locateKustomize();
  const out = execFileSync(command, ['build', '--load-restrictor', 'LoadRestrictionsNone', 'test/kustomize/rollout'], {
    cwd: BED,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return parseAllDocuments(out).map((d) => d.toJS() as K8sObject);
}

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
    });
    // The pre-prefix name is not what renders: it names nothing.
    expect(renderedDelivery(objects, { kind: 'Deployment', name: 'deployment' })).toBeNull();
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
