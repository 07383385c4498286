/**
 * Evidence from a real kube-apiserver. The test cluster has no kubelet, so `pods/log` cannot return
 * real log lines here: the log reader is tested on the API server's error path (the entry says
 * the log is unavailable, and why), and the parsing, redaction and bounds on log text in
 * evidence.spec.ts. Images and events are real.
 */
import { describe, expect, inject, it } from 'vitest';
import { startFakeKubelet } from '../../../test/cluster/fake-kubelet.ts';
import {
  createDeploymentPod,
  createPodEvent,
  ensureNamespace,
  oomKilledStatus,
  writePodStatus,
} from '../../../test/cluster/kube-objects.ts';
import { kubeConfigFor } from '../../demo/servers/kube-client.ts';
import type { Incident } from '../../model/index.ts';
import { collectEvidence, DEFAULT_EVIDENCE_BOUNDS } from './collect.ts';

const kube = inject('kube');
const now = new Date();
const at = (s: number) => new Date(now.getTime() - s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

function incident(ns: string, pod: string): Incident {
  return {
    fingerprint: 'f'.repeat(64),
    target: { cluster: 'test', namespace: ns, kind: 'Deployment', name: 'cart' },
    kinds: ['OOMKilled'],
    containers: ['cart'],
    signals: [
      {
        id: 'kubernetes:uid:cart:OOMKilled',
        source: 'kubernetes',
        kind: 'OOMKilled',
        status: 'firing',
        target: { cluster: 'test', namespace: ns, kind: 'Deployment', name: 'cart' },
        container: 'cart',
        pod,
        observedAt: at(60),
        labels: {},
        evidence: [],
      },
    ],
    occurrences: 1,
    firstSeen: at(60),
    lastSeen: at(60),
    risk: { score: 0.8, confidence: 0.8, type: 'resource-pressure', attributions: [] },
  };
}

describe('engine/cluster/evidence/collect (real kube-apiserver)', () => {
  it('reads the image as running and the pod events, redacted and in order; the log is unavailable without a kubelet', async () => {
    const ns = 'evidence-shop';
    await ensureNamespace(kube, ns);
    const pod = await createDeploymentPod(kube, ns, 'cart');
    await writePodStatus(kube, ns, pod, oomKilledStatus('cart', 'ghcr.io/acme/cart:1.4.2', at(90)));
    await createPodEvent(kube, ns, pod, {
      reason: 'BackOff',
      message: 'Back-off restarting failed container cart',
      container: 'cart',
      at: at(30),
      count: 4,
    });
    await createPodEvent(kube, ns, pod, {
      reason: 'Killing',
      message: 'Stopping container cart',
      type: 'Normal',
      at: at(120),
    });
    await createPodEvent(kube, ns, pod, {
      reason: 'Failed',
      message: 'Error: secret token=abc123def456 not found',
      at: at(60),
    });
    const evidence = await collectEvidence(kubeConfigFor(kube, kube.identities.reader), incident(ns, pod));
    expect(evidence.map((e) => e.source)).toEqual([
      `image running in ${ns}/${pod} container cart`,
      `previous log of ${ns}/${pod} container cart`,
      `recent events of pod ${ns}/${pod}`,
    ]);
    const [image, log, events] = evidence;
    expect(image?.summary).toBe(`ghcr.io/acme/cart:1.4.2 (ghcr.io/acme/cart@sha256:${'ab'.repeat(32)})`);
    expect(image?.data).toEqual({ container: 'cart', image: 'ghcr.io/acme/cart:1.4.2', restartCount: 5 });
    // No node, no kubelet: the API server answers 204 No Content.
    expect(log?.summary).toBe('unavailable: the pod has not run on a node');
    expect(log?.text).toBeUndefined();
    expect(events?.summary).toBe('3 most recent');
    const lines = events?.text?.split('\n') ?? [];
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(`${at(120)} Normal Killing: Stopping container cart`);
    expect(lines[1]).toBe(`${at(60)} Warning Failed: Error: secret token=[redacted] not found`);
    expect(lines[2]).toBe(`${at(30)} Warning BackOff (x4): Back-off restarting failed container cart`);
  });

  it('says what it could not read, and never throws, for a pod that is gone or forbidden', async () => {
    const gone = await collectEvidence(
      kubeConfigFor(kube, kube.identities.reader),
      incident('evidence-shop', 'cart-7d9c6b5f4-gone0'),
    );
    expect(gone[0]?.summary).toMatch(/^unavailable: HTTP 404: pods "cart-7d9c6b5f4-gone0" not found$/);
    const nobody = await collectEvidence(
      kubeConfigFor(kube, { user: 'x', token: 'wrong' }),
      incident('evidence-shop', 'p'),
    );
    expect(nobody.every((e) => e.summary.startsWith('unavailable: HTTP 401'))).toBe(true);
  });
});

describe('engine/cluster/evidence/collect through the API server to a kubelet', () => {
  it('streams the previous log the kubelet serves, tail bounded, redacted, and cut at the byte bound', async () => {
    const ns = 'evidence-logs';
    await ensureNamespace(kube, ns);
    const kubelet = await startFakeKubelet(kube, 'evidence-node-1');
    try {
      const pod = await createDeploymentPod(kube, ns, 'cart', { node: kubelet.node });
      await writePodStatus(kube, ns, pod, oomKilledStatus('cart', 'ghcr.io/acme/cart:1.4.2', at(90)));
      const lines = Array.from({ length: 20 }, (_, i) => `${at(100 - i)} processing order ${i}`);
      lines.push(`${at(80)} connecting with password=hunter2 to db`);
      lines.push(`${at(79)} fatal: java.lang.OutOfMemoryError: Java heap space`);
      kubelet.logs.set(`${ns}/${pod}/cart`, `${lines.join('\n')}\n`);
      const kc = kubeConfigFor(kube, kube.identities.reader);
      const evidence = await collectEvidence(kc, incident(ns, pod), {
        ...DEFAULT_EVIDENCE_BOUNDS,
        log: { maxLines: 5, maxBytes: 16 * 1024, maxLineChars: 400 },
      });
      const log = evidence.find((e) => e.source.startsWith('previous log'));
      expect(log?.summary).toBe('last 5 lines, secrets redacted');
      expect(log?.text?.split('\n')).toEqual([
        ...lines.slice(17, 20),
        `${at(80)} connecting with password=[redacted] to db`,
        lines[21],
      ]);
      // The API server passed salve's bounds on to the kubelet.
      const asked = kubelet.requests.find((u) => u.pathname === `/containerLogs/${ns}/${pod}/cart`);
      expect(asked?.searchParams.get('previous')).toBe('true');
      expect(asked?.searchParams.get('tailLines')).toBe('5');
      expect(asked?.searchParams.get('limitBytes')).toBe(String(16 * 1024));

      // A kubelet that sends more than asked is cut at the byte bound while streaming.
      kubelet.logs.set(`${ns}/${pod}/cart`, 'z'.repeat(1024 * 1024));
      const [, big] = await collectEvidence(kc, incident(ns, pod), {
        ...DEFAULT_EVIDENCE_BOUNDS,
        log: { maxLines: 5, maxBytes: 2048, maxLineChars: 100_000 },
      });
      expect(big?.text?.length).toBeLessThanOrEqual(2048);

      // No previous container: the kubelet's 404 comes back as unavailable.
      kubelet.logs.delete(`${ns}/${pod}/cart`);
      const [, none] = await collectEvidence(kc, incident(ns, pod));
      expect(none?.summary).toMatch(/^unavailable: HTTP 404/);
    } finally {
      await kubelet.stop();
    }
  });
});
