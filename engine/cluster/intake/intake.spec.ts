import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../telemetry/logger.ts';
import { containerOf, eventKind } from './event-signal.ts';
import { ClusterSignalStore } from './store.ts';

const NOW = new Date('2026-03-02T10:00:00Z');

function pod(name: string, status: Record<string, unknown>) {
  return {
    metadata: {
      name,
      namespace: 'shop',
      uid: `uid-${name}`,
      labels: { app: 'cart', 'pod-template-hash': '7d9c6b5f4' },
      ownerReferences: [{ kind: 'ReplicaSet', name: 'cart-7d9c6b5f4', controller: true }],
    },
    status,
  };
}

const oomStatus = {
  phase: 'Running',
  containerStatuses: [
    {
      name: 'cart',
      image: 'ghcr.io/acme/cart:1.4.2',
      ready: false,
      restartCount: 4,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-03-02T09:58:00Z' } },
    },
  ],
};

function event(
  uid: string,
  reason: string,
  message: string,
  podName = 'cart-7d9c6b5f4-x2x9z',
  at = '2026-03-02T09:59:00Z',
) {
  return {
    metadata: { name: `${podName}.${uid}`, namespace: 'shop', uid },
    involvedObject: { kind: 'Pod', name: podName, namespace: 'shop', fieldPath: 'spec.containers{cart}' },
    type: 'Warning',
    reason,
    message,
    count: 3,
    lastTimestamp: at,
  };
}

function store() {
  return new ClusterSignalStore({ cluster: 'prod', now: () => NOW, log: silentLogger() });
}

describe('engine/cluster/intake', () => {
  it('maps Warning event reasons to signal kinds', () => {
    expect(eventKind('FailedScheduling', '0/3 nodes are available: 3 Insufficient memory.')).toBe('FailedScheduling');
    expect(eventKind('Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503')).toBe(
      'ProbeFailure',
    );
    expect(eventKind('BackOff', 'Back-off restarting failed container cart in pod cart-x_shop(uid)')).toBe(
      'CrashLoopBackOff',
    );
    expect(eventKind('BackOff', 'Back-off pulling image "ghcr.io/acme/cart:9.9"')).toBe('ImagePullBackOff');
    expect(eventKind('Failed', 'Error: ErrImagePull')).toBe('ImagePullBackOff');
    expect(eventKind('Failed', 'Failed to pull image "x": rpc error: not found')).toBe('ImagePullBackOff');
    expect(eventKind('Failed', 'Error: CreateContainerConfigError')).toBeNull();
    expect(eventKind('Pulled', 'Successfully pulled image')).toBeNull();
    expect(containerOf('spec.containers{cart}')).toBe('cart');
    expect(containerOf('spec.initContainers{migrate}')).toBe('migrate');
    expect(containerOf(undefined)).toBeUndefined();
  });

  it('turns a pod status into OOMKilled on the Deployment and an event about that pod onto the same owner', () => {
    const s = store();
    s.replacePods([pod('cart-7d9c6b5f4-x2x9z', oomStatus)]);
    s.replaceEvents([event('e1', 'BackOff', 'Back-off restarting failed container cart in pod cart-7d9c6b5f4-x2x9z')]);
    const signals = s.current();
    expect(signals.map((x) => [x.kind, x.target.kind, x.target.name, x.container])).toEqual([
      ['OOMKilled', 'Deployment', 'cart', 'cart'],
      ['CrashLoopBackOff', 'Deployment', 'cart', 'cart'],
    ]);
    expect(signals[1]?.evidence[0]?.data).toEqual({ reason: 'BackOff', count: 3, container: 'cart' });
  });

  it('tells listeners about new signals only, not about a pod that keeps crashing', () => {
    const s = store();
    const heard: string[][] = [];
    s.subscribe((fresh) => heard.push(fresh.map((x) => x.kind)));
    s.replacePods([pod('cart-7d9c6b5f4-x2x9z', { phase: 'Running' })]);
    expect(heard).toEqual([]);
    s.onPod('MODIFIED', pod('cart-7d9c6b5f4-x2x9z', oomStatus));
    s.onPod('MODIFIED', pod('cart-7d9c6b5f4-x2x9z', oomStatus));
    s.onEvent('ADDED', event('e1', 'Unhealthy', 'Liveness probe failed'));
    s.onEvent('MODIFIED', { ...event('e1', 'Unhealthy', 'Liveness probe failed'), count: 9 });
    expect(heard).toEqual([['OOMKilled'], ['ProbeFailure']]);
    s.onPod('DELETED', pod('cart-7d9c6b5f4-x2x9z', oomStatus));
    expect(s.current().map((x) => x.kind)).toEqual(['ProbeFailure']);
  });

  it('ignores Normal events, events about other kinds, stale events and malformed objects', () => {
    const s = store();
    s.replaceEvents([
      { ...event('n', 'BackOff', 'Back-off restarting failed container'), type: 'Normal' },
      { ...event('d', 'FailedCreate', 'x'), involvedObject: { kind: 'ReplicaSet', name: 'cart-1', namespace: 'shop' } },
      event('old', 'FailedScheduling', '0/3 nodes', 'cart-7d9c6b5f4-aaaaa', '2026-03-02T08:00:00Z'),
      { metadata: 'not an object' },
      null,
    ]);
    s.replacePods([{ metadata: { name: 'web-0', namespace: 'shop' }, status: 'broken' } as never]);
    expect(s.current()).toEqual([]);
  });

  it('attributes an event about an unknown pod by its name, and caps the message', () => {
    const s = store();
    s.replaceEvents([event('e2', 'FailedScheduling', `0/3 nodes are available: ${'x'.repeat(1000)}`, 'db-0')]);
    const [signal] = s.current();
    expect(signal?.target).toEqual({ cluster: 'prod', namespace: 'shop', kind: 'StatefulSet', name: 'db' });
    expect(signal?.evidence[0]?.summary.length).toBeLessThan(350);
    expect(signal?.evidence[0]?.summary).toContain('(truncated, 1025 chars)');
  });
});
