import { describe, expect, it } from 'vitest';
import { ConfigError } from '../model/errors.ts';
import type { K8sObject } from '../model/remediation.ts';
import { patchIdentity } from './patch-target.ts';
import { prePatchKustomization } from './pre-patch.ts';

const deployment = (name: string, namespace?: string): K8sObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, ...(namespace ? { namespace } : {}) },
});
const none = { namespace: null, namePrefix: '', nameSuffix: '' };

describe('render/patch-target', () => {
  it('names the object as the overlay resources give it: before its prefix and suffix', () => {
    const id = patchIdentity(
      deployment('prod-api-eu', 'default'),
      [deployment('api')],
      { namespace: null, namePrefix: 'prod-', nameSuffix: '-eu' },
      'default',
      'k.yaml',
    );
    expect(id).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' });
  });

  it("keeps an object's own namespace, and any namespace it has before the overlay's namespace: transform", () => {
    expect(
      patchIdentity(deployment('nginx', 'remote'), [deployment('nginx', 'remote')], none, 'default', 'k.yaml'),
    ).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx', namespace: 'remote' });
    const moved = { namespace: 'kubeflow', namePrefix: '', nameSuffix: '' };
    expect(
      patchIdentity(deployment('api', 'kubeflow'), [deployment('api', 'system')], moved, 'default', 'k.yaml'),
    ).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', namespace: 'system' });
  });

  it('tells apart same-named objects by namespace, and says when it cannot name the object', () => {
    const pre = [deployment('api', 'a'), deployment('api', 'b')];
    expect(patchIdentity(deployment('api', 'b'), pre, none, 'default', 'k.yaml').namespace).toBe('b');
    expect(() => patchIdentity(deployment('renamed', 'a'), pre, none, 'default', 'apps/k.yaml')).toThrow(ConfigError);
    expect(() => patchIdentity(deployment('renamed', 'a'), pre, none, 'default', 'apps/k.yaml')).toThrow(
      /apps\/k\.yaml: Deployment a\/renamed renders under a name/,
    );
  });
});

describe('render/pre-patch', () => {
  it('keeps what makes the objects the patches see, and drops the transforms after them', () => {
    const text = `namespace: prod
namePrefix: p-
resources:
  - ../base
components: [../c]
patchesStrategicMerge: [a.yaml]
patches:
  - path: b.yaml
images: [{name: x, newTag: "2"}]
replicas: [{name: x, count: 2}]
configMapGenerator: [{name: cm, literals: [a=b]}]
`;
    expect(prePatchKustomization(text)).toBe(`resources:
  - ../base
components: [ ../c ]
patchesStrategicMerge: [ a.yaml ]
configMapGenerator: [ { name: cm, literals: [ a=b ] } ]
`);
  });
});
