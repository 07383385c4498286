/**
 * The example config repo and sample signals agree: every overlay builds with real kustomize, and
 * every sample signal's target is rendered by exactly one Argo CD Application's overlay.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { SalveConfig } from '../config/schema.ts';
import type { K8sObject } from '../model/remediation.ts';
import { locateKustomize, runTool } from '../tools/index.ts';
import { parseSignalFile } from './file.ts';

const EXAMPLES = join(import.meta.dirname, '../../examples');
const REPO = join(EXAMPLES, 'config-repo');

interface App {
  cluster: string;
  namespace: string;
  path: string;
}

async function applications(): Promise<App[]> {
  const apps: App[] = [];
  for (const cluster of ['staging', 'production']) {
    const dir = join(REPO, 'argocd', cluster, 'apps');
    for (const file of await readdir(dir)) {
      const app = parse(await readFile(join(dir, file), 'utf8'));
      expect(app).toMatchObject({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
      });
      apps.push({
        cluster: app.spec.destination.name,
        namespace: app.spec.destination.namespace,
        path: app.spec.source.path,
      });
    }
  }
  return apps;
}

describe('examples', () => {
  const rendered = new Map<string, K8sObject[]>();
  let apps: App[] = [];

  beforeAll(async () => {
    apps = await applications();
    const kustomize = locateKustomize();
    await Promise.all(
      apps.map(async (app) => {
        const { stdout } = await runTool(kustomize, ['build', app.path], {
          cwd: REPO,
        });
        rendered.set(
          app.path,
          parseAllDocuments(stdout).map((d) => d.toJS() as K8sObject),
        );
      }),
    );
  });

  it('builds every overlay of every app, each in its Application namespace', async () => {
    const overlays = [];
    for (const app of await readdir(join(REPO, 'apps'))) {
      for (const env of await readdir(join(REPO, 'apps', app, 'overlays')))
        overlays.push(`apps/${app}/overlays/${env}`);
    }
    expect(overlays.length).toBeGreaterThanOrEqual(6);
    expect(apps.map((a) => a.path).sort()).toEqual(overlays.sort());
    for (const app of apps) {
      const objects = rendered.get(app.path) ?? [];
      const ns = objects.find((o) => o.kind === 'Namespace');
      expect(ns?.metadata.name, app.path).toBe(app.namespace);
      expect(ns?.metadata.labels?.['salve.dev/tier'], app.path).toBe(app.cluster);
      for (const o of objects.filter((x) => x.kind !== 'Namespace'))
        expect(o.metadata.namespace, app.path).toBe(app.namespace);
    }
  });

  it('has a valid .salve.yaml', async () => {
    const config = SalveConfig.parse(parse(await readFile(join(REPO, '.salve.yaml'), 'utf8')));
    expect(config.environments.map((e) => e.clusters)).toEqual([['staging'], ['production']]);
  });

  it('resolves every sample signal to exactly one overlay that renders its target', async () => {
    const files = (await readdir(join(EXAMPLES, 'signals'))).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const file of files) {
      const signals = await parseSignalFile(join(EXAMPLES, 'signals', file), {
        cluster: 'production',
        now: new Date('2025-06-12T10:00:00Z'),
      });
      expect(signals.length, file).toBeGreaterThan(0);
      for (const { target } of signals) {
        const matches = apps.filter((a) => a.cluster === target.cluster && a.namespace === target.namespace);
        expect(matches, file).toHaveLength(1);
        const objects = rendered.get(matches[0]?.path ?? '') ?? [];
        // A pod name cannot tell a Deployment's ReplicaSet from an Argo Rollout's: the pipeline
        // looks for a Rollout when no Deployment of that name is rendered (storefront).
        const kinds = target.kind === 'Deployment' ? ['Deployment', 'Rollout'] : [target.kind];
        expect(
          objects.some((o) => kinds.includes(o.kind) && o.metadata.name === target.name),
          `${file}: ${target.kind}/${target.name}`,
        ).toBe(true);
      }
    }
  });

  it('replays the demo history back to an initial tree and forward to the committed one', async () => {
    const history = parse(await readFile(join(REPO, '.salve-demo/history.yaml'), 'utf8')) as {
      commits: {
        date: string;
        edits: { file: string; replace: { from: string; to: string } }[];
      }[];
    };
    expect(history.commits[0]?.edits).toEqual([]);
    const files = new Map<string, string>();
    const edits = history.commits.flatMap((c) => c.edits);
    for (const e of edits) files.set(e.file, await readFile(join(REPO, e.file), 'utf8'));
    const final = new Map(files);
    const once = (text: string, needle: string) => text.split(needle).length - 1 === 1;
    for (const e of [...edits].reverse()) {
      const text = files.get(e.file) ?? '';
      expect(once(text, e.replace.to), `${e.file}: ${e.replace.to}`).toBe(true);
      files.set(e.file, text.replace(e.replace.to, e.replace.from));
    }
    expect(files.get('apps/checkout/overlays/production/kustomization.yaml')).toContain('newTag: 1.8.0');
    for (const e of edits) files.set(e.file, (files.get(e.file) ?? '').replace(e.replace.from, e.replace.to));
    expect(files).toEqual(final);
    expect(history.commits.at(-1)?.date).toBe('-30m');
  });
});
