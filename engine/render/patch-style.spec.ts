import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../model/remediation.ts';
import { containerSlot, patchStyle } from './patch-style.ts';

const pod = (apiVersion: string, containers: string[], init: string[] = []): K8sObject => ({
  apiVersion,
  kind: 'Deployment',
  metadata: { name: 'x' },
  spec: {
    template: {
      spec: {
        containers: containers.map((name) => ({ name })),
        ...(init.length ? { initContainers: init.map((name) => ({ name })) } : {}),
      },
    },
  },
});

describe('render/patch-style', () => {
  it('uses strategic merge for one container of a built-in kind', () => {
    const o = pod('apps/v1', ['app']);
    expect(patchStyle(o, containerSlot(o, 'app'))).toBe('strategic-merge');
    expect(
      patchStyle({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' } }, null),
    ).toBe('strategic-merge');
  });

  it('uses JSON6902 for a container among several (kustomize#5904) and for custom kinds', () => {
    const o = pod('apps/v1', ['app', 'proxy']);
    expect(containerSlot(o, 'proxy')).toEqual({ list: 'containers', name: 'proxy', index: 1, count: 2 });
    expect(patchStyle(o, containerSlot(o, 'proxy'))).toBe('json6902');
    const rollout = pod('argoproj.io/v1alpha1', ['app']);
    expect(patchStyle(rollout, containerSlot(rollout, 'app'))).toBe('json6902');
  });

  it('finds init containers in their own list', () => {
    const o = pod('apps/v1', ['app'], ['wait', 'migrate']);
    expect(containerSlot(o, 'migrate')).toEqual({ list: 'initContainers', name: 'migrate', index: 1, count: 2 });
    expect(patchStyle(o, containerSlot(o, 'migrate'))).toBe('json6902');
    expect(containerSlot(o, 'nope')).toBeNull();
  });
});
