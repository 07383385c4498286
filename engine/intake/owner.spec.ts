import { describe, expect, it } from 'vitest';
import { ownerFromPodName, resolvePodOwner } from './owner.ts';

describe('intake/owner', () => {
  it('strips the ReplicaSet hash and pod suffix from a Deployment pod name', () => {
    expect(ownerFromPodName('checkout-7d9f8b6c5d-x2x7k')).toEqual({
      kind: 'Deployment',
      name: 'checkout',
    });
    expect(ownerFromPodName('orders-api-v2-6b4f9c8d7-mzv2p')).toEqual({
      kind: 'Deployment',
      name: 'orders-api-v2',
    });
  });

  it('reads a StatefulSet ordinal from the pod name', () => {
    expect(ownerFromPodName('orders-db-0')).toEqual({
      kind: 'StatefulSet',
      name: 'orders-db',
    });
    expect(ownerFromPodName('kafka-broker-12')).toEqual({
      kind: 'StatefulSet',
      name: 'kafka-broker',
    });
  });

  it('uses the pod-template-hash label to strip exactly, even for an unusual hash', () => {
    expect(ownerFromPodName('web-1234567-abcde', { 'pod-template-hash': '1234567' })).toEqual({
      kind: 'Deployment',
      name: 'web',
    });
  });

  it('keeps the pod when the name implies no owner', () => {
    expect(ownerFromPodName('debug-shell')).toEqual({
      kind: 'Pod',
      name: 'debug-shell',
    });
  });

  it('follows the controller ownerReference over the name', () => {
    const refs = [{ kind: 'ReplicaSet', name: 'catalog-5f7d8c9b6', controller: true }];
    expect(
      resolvePodOwner('catalog-5f7d8c9b6-qk2mz', refs, {
        'pod-template-hash': '5f7d8c9b6',
      }),
    ).toEqual({ kind: 'Deployment', name: 'catalog' });
    // The reference wins even when the name looks like a StatefulSet pod.
    expect(
      resolvePodOwner('node-exporter-1', [{ kind: 'DaemonSet', name: 'node-exporter', controller: true }]),
    ).toEqual({
      kind: 'DaemonSet',
      name: 'node-exporter',
    });
    expect(resolvePodOwner('orders-db-0', [{ kind: 'StatefulSet', name: 'orders-db' }])).toEqual({
      kind: 'StatefulSet',
      name: 'orders-db',
    });
  });

  it('maps ReplicaSets of Argo Rollouts to the Rollout', () => {
    const labels = { 'rollouts-pod-template-hash': '6b4f9c8d7' };
    expect(
      resolvePodOwner('checkout-6b4f9c8d7-mzv2p', [{ kind: 'ReplicaSet', name: 'checkout-6b4f9c8d7' }], labels),
    ).toEqual({
      kind: 'Rollout',
      name: 'checkout',
    });
  });

  it('maps CronJob-created Jobs to the CronJob and keeps plain Jobs', () => {
    expect(resolvePodOwner('backup-28641720-x7k2p', [{ kind: 'Job', name: 'backup-28641720' }])).toEqual({
      kind: 'CronJob',
      name: 'backup',
    });
    expect(resolvePodOwner('migrate-v3-abcde', [{ kind: 'Job', name: 'migrate-v3' }])).toEqual({
      kind: 'Job',
      name: 'migrate-v3',
    });
  });

  it('keeps a bare ReplicaSet whose name carries no hash', () => {
    expect(resolvePodOwner('legacy-abcde', [{ kind: 'ReplicaSet', name: 'legacy' }])).toEqual({
      kind: 'ReplicaSet',
      name: 'legacy',
    });
  });
});
