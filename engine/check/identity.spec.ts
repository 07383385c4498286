import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../model/remediation.ts';
import { placeObjects } from './identity.ts';
import { renderedDiff } from './rendered-diff.ts';

const object = (apiVersion: string, kind: string, name: string, namespace?: string, spec?: unknown): K8sObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
  ...(spec ? { spec } : {}),
});

describe('check/identity', () => {
  it('places namespaced objects without a namespace in the destination, and leaves the rest', () => {
    const placed = placeObjects(
      [
        object('apps/v1', 'Deployment', 'web'),
        object('apps/v1', 'Deployment', 'db', 'data'),
        object('v1', 'Namespace', 'data'),
        object('rbac.authorization.k8s.io/v1', 'ClusterRole', 'reader'),
        object('rbac.authorization.k8s.io/v1', 'Role', 'reader'),
      ],
      'default',
    );
    expect(placed.map((o) => `${o.kind}/${o.metadata.name}@${o.metadata.namespace ?? '-'}`)).toEqual([
      'Deployment/web@default',
      'Deployment/db@data',
      'Namespace/data@-',
      'ClusterRole/reader@-',
      'Role/reader@default',
    ]);
  });

  it('takes the scope of custom kinds from the CustomResourceDefinitions in the render', () => {
    const crd = object('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'clusterthings.example.com', undefined, {
      group: 'example.com',
      scope: 'Cluster',
      names: { kind: 'ClusterThing' },
    });
    const placed = placeObjects(
      [crd, object('example.com/v1', 'ClusterThing', 'a'), object('example.com/v1', 'Thing', 'b')],
      'apps',
    );
    expect(placed.map((o) => o.metadata.namespace ?? '-')).toEqual(['-', '-', 'apps']);
  });

  it('makes an object rendered with and without the destination namespace the same object', () => {
    const before = placeObjects([object('apps/v1', 'Deployment', 'web', undefined, { replicas: 1 })], 'default');
    const after = placeObjects([object('apps/v1', 'Deployment', 'web', 'default', { replicas: 2 })], 'default');
    expect(renderedDiff(before, after)).toEqual({
      objects: [],
      fields: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'default',
          name: 'web',
          path: '/spec/replicas',
          before: 1,
          after: 2,
        },
      ],
    });
  });

  it('leaves everything as it is when the Application names no namespace', () => {
    const objects = [object('apps/v1', 'Deployment', 'web')];
    expect(placeObjects(objects, '')).toEqual(objects);
  });
});
