import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SalveConfig } from '../config/schema.ts';
import { ResolveError } from '../model/errors.ts';
import { argoApplication, makePodinfoRepo, type PodinfoRepo } from './__fixtures__/podinfo.ts';
import { discoverApplications } from './applications.ts';
import { createBuildCache } from './build-overlay.ts';
import { resolveOverlay } from './resolve-overlay.ts';

const backend = (cluster: string, namespace: string) => ({ cluster, namespace, kind: 'Deployment', name: 'backend' });

async function resolveError(promise: Promise<unknown>): Promise<ResolveError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ResolveError);
  return err as ResolveError;
}

describe('repo/resolve-overlay', () => {
  let repo: PodinfoRepo;
  const config = SalveConfig.parse({});
  beforeAll(async () => {
    repo = await makePodinfoRepo();
  });
  afterAll(() => repo.cleanup());

  it('discovers every Application, sorted, with normalised paths', async () => {
    const apps = await discoverApplications(repo.dir, config);
    expect(apps.map((a) => [a.name, a.file, a.cluster, a.namespace, a.path])).toEqual([
      ['podinfo-dev', 'argocd/podinfo-dev.yaml', 'dev-cluster', 'dev', 'deploy/overlays/dev'],
      [
        'podinfo-production',
        'argocd/podinfo-production.yaml',
        'prod-cluster',
        'production',
        'deploy/overlays/production',
      ],
      ['podinfo-staging', 'argocd/podinfo-staging.yaml', 'staging-cluster', 'staging', 'deploy/overlays/staging'],
      ['root', 'argocd/root.yaml', 'prod-cluster', 'argocd', 'argocd'],
    ]);
    const onlyRoot = await discoverApplications(repo.dir, { applications: ['argocd/r*.yaml'] });
    expect(onlyRoot.map((a) => a.name)).toEqual(['root']);
  });

  it('resolves the production backend to the production overlay, skipping the app-of-apps root', async () => {
    const cache = createBuildCache();
    const resolution = await resolveOverlay(repo.dir, backend('prod-cluster', 'production'), { config, cache });
    expect(resolution).toEqual({
      overlay: 'deploy/overlays/production',
      application: {
        name: 'podinfo-production',
        file: 'argocd/podinfo-production.yaml',
        cluster: 'prod-cluster',
        namespace: 'production',
        path: 'deploy/overlays/production',
        repoURL: 'https://github.com/acme/podinfo-config.git',
        sync: { automated: true, prune: true },
      },
      environment: { name: 'prod-cluster', tier: 'production' },
      considered: ['deploy/overlays/production'],
    });
    await resolveOverlay(repo.dir, backend('prod-cluster', 'production'), { config, cache });
    // Only the Application deployed to the target's namespace is built; the second run is a cache hit.
    expect(cache.stats).toEqual({ builds: 1, hits: 1 });
  });

  it('builds the Applications deployed elsewhere on the cluster only when none in the namespace renders the target', async () => {
    const elsewhere = await makePodinfoRepo();
    try {
      const file = join(elsewhere.dir, 'argocd/podinfo-production.yaml');
      await writeFile(file, (await readFile(file, 'utf8')).replace('namespace: production', 'namespace: web'));
      const cache = createBuildCache();
      const resolution = await resolveOverlay(elsewhere.dir, backend('prod-cluster', 'production'), { config, cache });
      expect(resolution.overlay).toBe('deploy/overlays/production');
      expect(resolution.application.namespace).toBe('web');
    } finally {
      await elsewhere.cleanup();
    }
  });

  it('takes the environment from .salve.yaml environments, which also alias clusters', async () => {
    const withEnvs = SalveConfig.parse({
      environments: [{ name: 'live', tier: 'production', clusters: ['eu-1', 'prod-cluster'] }],
    });
    const resolution = await resolveOverlay(repo.dir, backend('eu-1', 'production'), { config: withEnvs });
    expect(resolution.overlay).toBe('deploy/overlays/production');
    expect(resolution.environment).toEqual({ name: 'live', tier: 'production' });
  });

  it('names the overlays considered when nothing matches', async () => {
    const err = await resolveError(resolveOverlay(repo.dir, backend('prod-cluster', 'staging'), { config }));
    expect(err.code).toBe('unresolved-target');
    expect(err.message).toContain('Deployment staging/backend on cluster prod-cluster resolves to no overlay');
    expect(err.message).toContain(
      'deploy/overlays/production (Application podinfo-production in argocd/podinfo-production.yaml, namespace production): no Deployment backend in namespace staging',
    );
    expect(err.message).toContain('argocd (Application root in argocd/root.yaml, namespace argocd): app-of-apps');
    const none = await resolveError(resolveOverlay(repo.dir, backend('elsewhere', 'production'), { config }));
    expect(none.message).toContain('no Argo CD Application is deployed to that cluster');
    expect(none.message).toContain('dev-cluster, prod-cluster, staging-cluster');
  });

  it('refuses to guess when two Applications render the target', async () => {
    const twin = argoApplication(
      'podinfo-production-twin',
      './deploy/overlays/production/',
      'prod-cluster',
      'production',
    );
    await writeFile(join(repo.dir, 'argocd', 'twin.yaml'), twin);
    try {
      const err = await resolveError(resolveOverlay(repo.dir, backend('prod-cluster', 'production'), { config }));
      expect(err.code).toBe('ambiguous-target');
      expect(err.message).toContain('is ambiguous: 2 overlays render it');
      expect(err.message).toContain(
        'Application podinfo-production in argocd/podinfo-production.yaml, namespace production): renders it',
      );
      expect(err.message).toContain(
        'Application podinfo-production-twin in argocd/twin.yaml, namespace production): renders it',
      );
    } finally {
      await writeFile(join(repo.dir, 'argocd', 'twin.yaml'), '');
    }
  });
});
