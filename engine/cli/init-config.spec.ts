import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SalveConfig } from '../config/schema.ts';
import type { ArgoApplication } from '../model/remediation.ts';
import { deriveSettings, renderConfig } from './init-config.ts';

function app(
  name: string,
  cluster: string,
  namespace: string,
  path: string,
  file = `argocd/${name}.yaml`,
): ArgoApplication {
  return { name, file, cluster, namespace, path, repoURL: 'https://example.org/config.git' };
}

describe('cli/init-config', () => {
  it("names Argo CD's in-cluster destination in-cluster, keeps the URL as an alias, and guesses its tier from the overlays", () => {
    const derived = deriveSettings([
      app('shop', 'https://kubernetes.default.svc', 'shop', 'overlays/prod'),
      app('shop-preview', 'https://kubernetes.default.svc', 'shop-preview', 'overlays/prod-preview'),
    ]);
    expect(derived.environments).toEqual([
      { name: 'production', tier: 'production', clusters: ['https://kubernetes.default.svc', 'in-cluster'] },
    ]);
    expect(derived.applications).toEqual(['argocd/**/*.yaml']);
  });

  it('names environments after their tier when one cluster has it, after the cluster when several do', () => {
    const derived = deriveSettings([
      app('a', 'prod-eu', 'a', 'apps/a/overlays/production'),
      app('b', 'prod-us', 'b', 'apps/b/overlays/production'),
      app('c', 'https://staging.k8s.example.org:6443', 'c', 'apps/c/overlays/staging', 'c.yaml'),
    ]);
    expect(derived.environments.map((e) => [e.name, e.tier])).toEqual([
      ['staging', 'staging'],
      ['prod-eu', 'production'],
      ['prod-us', 'production'],
    ]);
    // An Application at the repo root: every YAML file may hold one.
    expect(derived.applications).toEqual(['**/*.yaml', '**/*.yml']);
  });

  it('renders a .salve.yaml the schema accepts, with the schema modeline first', () => {
    const derived = deriveSettings([app('web', 'https://10.0.0.1:6443', 'web', 'web/overlays/dev')]);
    const text = renderConfig(derived, 1);
    expect(text.startsWith('# yaml-language-server: $schema=https://')).toBe(true);
    const config = SalveConfig.parse(parse(text));
    expect(config.environments).toMatchObject([
      { name: 'development', tier: 'development', clusters: ['https://10.0.0.1:6443'] },
    ]);
    expect(SalveConfig.parse(parse(renderConfig(deriveSettings([]), 0))).environments).toEqual([]);
  });
});
