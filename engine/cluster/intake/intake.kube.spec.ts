/**
 * Intake from a real kube-apiserver: pod statuses written as the kubelet writes them and Warning
 * events become Signals on the pod's top-level owner, and coalesce with an Alertmanager alert about
 * the same Deployment into one incident.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  createDeploymentPod,
  createPodEvent,
  ensureNamespace,
  oomKilledStatus,
  writePodStatus,
} from '../../../test/cluster/kube-objects.ts';
import { kubeConfigFor } from '../../demo/servers/kube-client.ts';
import { parseAlertmanager } from '../../intake/index.ts';
import type { Signal } from '../../model/index.ts';
import { coalesce, fingerprint } from '../../perceive/index.ts';
import { silentLogger } from '../../telemetry/logger.ts';
import { type ClusterIntake, startClusterIntake } from './index.ts';

const kube = inject('kube');
const NOW = new Date();
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
}

describe('engine/cluster/intake (real kube-apiserver)', () => {
  const intakes: ClusterIntake[] = [];
  afterAll(async () => {
    await Promise.all(intakes.map((i) => i.stop()));
  });

  it('turns watched pod statuses and Warning events into signals on the owner, and hears only new ones', async () => {
    const ns = 'intake-shop';
    await ensureNamespace(kube, ns);
    const pod = await createDeploymentPod(kube, ns, 'cart');
    const intake = startClusterIntake({
      cluster: 'prod-eu',
      kc: kubeConfigFor(kube, kube.identities.reader),
      namespaces: [ns],
      log: silentLogger(),
      reflector: { minBackoffMs: 20, maxBackoffMs: 200 },
    });
    intakes.push(intake);
    const heard: string[] = [];
    intake.subscribe((fresh) => heard.push(...fresh.map((s) => s.kind)));
    await intake.synced;
    expect(intake.signals()).toEqual([]);

    await writePodStatus(kube, ns, pod, oomKilledStatus('cart', 'ghcr.io/acme/cart:1.4.2', at(2)));
    await createPodEvent(kube, ns, pod, {
      reason: 'BackOff',
      message: `Back-off restarting failed container cart in pod ${pod}_${ns}`,
      container: 'cart',
      at: at(1),
      count: 7,
    });
    await createPodEvent(kube, ns, pod, {
      reason: 'Pulled',
      message: 'Successfully pulled image',
      type: 'Normal',
      at: at(1),
    });
    await until(() => intake.signals().length >= 2, 'two signals');
    const signals = intake.signals();
    expect(signals.map((s) => [s.kind, s.source, s.target, s.container, s.pod])).toEqual([
      ['OOMKilled', 'kubernetes', { cluster: 'prod-eu', namespace: ns, kind: 'Deployment', name: 'cart' }, 'cart', pod],
      [
        'CrashLoopBackOff',
        'kubernetes',
        { cluster: 'prod-eu', namespace: ns, kind: 'Deployment', name: 'cart' },
        'cart',
        pod,
      ],
    ]);
    expect(signals[0]?.evidence[0]?.data).toMatchObject({
      lastTerminationReason: 'OOMKilled',
      restartCount: 5,
      image: 'ghcr.io/acme/cart:1.4.2',
    });
    expect(heard.sort()).toEqual(['CrashLoopBackOff', 'OOMKilled']);

    // The kubelet writes the same status again on the next restart: nothing new to hear.
    await writePodStatus(kube, ns, pod, {
      ...oomKilledStatus('cart', 'ghcr.io/acme/cart:1.4.2', at(2)),
      conditions: [],
    });
    const pending = await createDeploymentPod(kube, ns, 'search', { hash: '5f7b8c9d4', suffix: 'q7w2k' });
    await createPodEvent(kube, ns, pending, {
      reason: 'FailedScheduling',
      message: '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available.',
      at: at(0),
    });
    await until(() => heard.includes('FailedScheduling'), 'the scheduling failure');
    expect(heard.sort()).toEqual(['CrashLoopBackOff', 'FailedScheduling', 'OOMKilled']);
    expect(intake.signals().find((s) => s.kind === 'FailedScheduling')?.target.name).toBe('search');
  });

  it('coalesces cluster signals with an Alertmanager alert about the same Deployment into one incident', async () => {
    const ns = 'intake-coalesce';
    await ensureNamespace(kube, ns);
    const pod = await createDeploymentPod(kube, ns, 'checkout', { hash: '6c8d9f7b5', suffix: 'm4n8p' });
    await writePodStatus(kube, ns, pod, oomKilledStatus('checkout', 'ghcr.io/acme/checkout:2.0.1', at(3)));
    const intake = startClusterIntake({
      cluster: 'prod-eu',
      kc: kubeConfigFor(kube, kube.identities.reader),
      namespaces: [ns],
      log: silentLogger(),
    });
    intakes.push(intake);
    await intake.synced;
    await until(() => intake.signals().length > 0, 'the OOM signal');
    const alerts: Signal[] = parseAlertmanager(
      {
        version: '4',
        groupKey: '{}:{alertname="KubePodCrashLooping"}',
        status: 'firing',
        receiver: 'salve',
        groupLabels: { alertname: 'KubePodCrashLooping' },
        commonLabels: {},
        commonAnnotations: {},
        externalURL: 'http://alertmanager:9093',
        alerts: [
          {
            status: 'firing',
            labels: {
              alertname: 'KubePodCrashLooping',
              cluster: 'prod-eu',
              namespace: ns,
              pod,
              container: 'checkout',
              severity: 'warning',
            },
            annotations: { description: 'checkout is crash looping' },
            startsAt: at(2),
            endsAt: '0001-01-01T00:00:00Z',
            fingerprint: 'a1b2c3d4e5f60718',
          },
        ],
      },
      { now: NOW },
    );
    const incidents = coalesce([...alerts, ...intake.signals()], { now: NOW });
    expect(incidents).toHaveLength(1);
    const [incident] = incidents;
    expect(incident?.fingerprint).toBe(
      fingerprint({ cluster: 'prod-eu', namespace: ns, kind: 'Deployment', name: 'checkout' }),
    );
    expect(incident?.kinds).toEqual(['CrashLoopBackOff', 'OOMKilled']);
    expect(new Set(incident?.signals.map((s) => s.source))).toEqual(new Set(['alertmanager', 'kubernetes']));
  });
});
