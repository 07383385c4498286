import { describe, expect, it } from 'vitest';
import { SalveConfig } from '../config/schema.ts';
import type { ArgoApplication } from '../model/remediation.ts';
import { clusterAliases, deploysTo, environmentFor, isInCluster, tierFromWords } from './environment.ts';

const none = SalveConfig.parse({});

function app(over: Partial<ArgoApplication>): ArgoApplication {
  return {
    name: 'shop',
    file: 'argocd/shop.yaml',
    cluster: 'https://kubernetes.default.svc',
    namespace: 'shop',
    path: 'apps/shop',
    repoURL: 'https://example.org/config.git',
    ...over,
  };
}

describe('environment', () => {
  it("knows Argo CD's two names for the in-cluster destination, and nothing else", () => {
    for (const c of [
      'in-cluster',
      'https://kubernetes.default.svc',
      'https://kubernetes.default.svc/',
      'https://kubernetes.default.svc:443',
    ])
      expect(isInCluster(c)).toBe(true);
    for (const c of ['production', 'https://10.0.0.1:6443', 'https://kubernetes.default.svc.evil.example'])
      expect(isInCluster(c)).toBe(false);
  });

  it('names an in-cluster environment after the tier its overlay path, application or namespace states', () => {
    expect(environmentFor(none, 'in-cluster', app({ path: 'deploy/overlays/production' }))).toEqual({
      name: 'production',
      tier: 'production',
      guessedFrom: 'the overlay path deploy/overlays/production, on cluster in-cluster',
    });
    expect(environmentFor(none, 'https://kubernetes.default.svc', app({ name: 'shop-stg' }))).toMatchObject({
      name: 'staging',
      tier: 'staging',
      guessedFrom: 'the Argo CD application name shop-stg, on cluster in-cluster',
    });
    expect(environmentFor(none, 'in-cluster', app({ namespace: 'shop-dev' }))).toMatchObject({
      name: 'development',
      tier: 'development',
    });
    // Nothing to go by: the cluster's short name, never its URL, and a tier that says so.
    expect(environmentFor(none, 'https://kubernetes.default.svc', app({}))).toEqual({
      name: 'in-cluster',
      tier: 'unknown',
    });
    expect(environmentFor(none, 'https://10.0.0.1:6443', app({}))).toEqual({ name: '10.0.0.1', tier: 'unknown' });
  });

  it('keeps a named cluster as the environment, taking the tier from the application when the name says none', () => {
    expect(environmentFor(none, 'prod-cluster', app({ path: 'overlays/dev' }))).toEqual({
      name: 'prod-cluster',
      tier: 'production',
    });
    expect(environmentFor(none, 'gke-main', app({ path: 'overlays/staging' }))).toEqual({
      name: 'gke-main',
      tier: 'staging',
      guessedFrom: 'the overlay path overlays/staging, on cluster gke-main',
    });
  });

  it('reads tiers from whole words only, the strictest first', () => {
    expect(tierFromWords('apps/devices/overlays/eu')).toBeNull();
    expect(tierFromWords('apps/product-catalog')).toBeNull();
    expect(tierFromWords('overlays/dev', 'prod')).toBe('production');
    expect(tierFromWords('envs/uat')).toBe('staging');
  });

  it('takes .salve.yaml environments over any guess, whichever name of the in-cluster destination they list', () => {
    const config = SalveConfig.parse({
      environments: [{ name: 'main', tier: 'production', clusters: ['in-cluster'] }],
    });
    expect(environmentFor(config, 'https://kubernetes.default.svc', app({ path: 'overlays/dev' }))).toEqual({
      name: 'main',
      tier: 'production',
    });
    expect(clusterAliases(config, 'https://kubernetes.default.svc')).toEqual(
      new Set(['in-cluster', 'https://kubernetes.default.svc']),
    );
  });

  it('matches an Application deployed to the in-cluster server when the signal says in-cluster', () => {
    const aliases = clusterAliases(none, 'in-cluster');
    expect(deploysTo(app({ cluster: 'https://kubernetes.default.svc/' }), aliases)).toBe(true);
    expect(deploysTo(app({ cluster: 'in-cluster' }), aliases)).toBe(true);
    expect(deploysTo(app({ cluster: 'prod-cluster' }), aliases)).toBe(false);
    expect(deploysTo(app({ cluster: 'https://kubernetes.default.svc' }), clusterAliases(none, 'prod-cluster'))).toBe(
      false,
    );
  });
});
