import { describe, expect, it } from 'vitest';
import { parseAlertmanager } from '../intake/alertmanager.ts';
import type { Signal } from '../model/index.ts';
import { Incident } from '../model/index.ts';
import { coalesce } from './coalesce.ts';
import { fingerprint } from './fingerprint.ts';

const NOW = new Date('2025-06-12T10:00:00Z');
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** A storm as Alertmanager delivers it: one payload, one alert per pod of ReplicaSet checkout-7d9f8b6c5d. */
function storm(n: number, status: 'firing' | 'resolved' = 'firing') {
  const alerts = Array.from({ length: n }, (_, i) => {
    const suffix = Array.from(
      { length: 5 },
      (_, j) => SAFE[(i * 7 + j * 13 + Math.floor(i / 27) * j) % SAFE.length],
    ).join('');
    const pod = `checkout-7d9f8b6c5d-${suffix}`;
    const kind =
      i % 2 === 0
        ? { alertname: 'KubePodCrashLooping', reason: 'CrashLoopBackOff' }
        : { alertname: 'KubeContainerOOMKilled', reason: 'OOMKilled' };
    return {
      status,
      labels: {
        ...kind,
        cluster: 'production',
        namespace: 'checkout',
        pod,
        container: 'checkout',
        severity: 'warning',
      },
      annotations: { summary: 'storm' },
      startsAt: new Date(NOW.getTime() - (n - i) * 1000).toISOString(),
      endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : NOW.toISOString(),
      generatorURL: 'http://prometheus/graph',
      fingerprint: i.toString(16).padStart(16, '0'),
    };
  });
  return {
    version: '4',
    groupKey: 'k',
    truncatedAlerts: 0,
    status,
    receiver: 'salve',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'x',
    alerts,
  };
}

describe('perceive/coalesce', () => {
  it('coalesces a 200-alert storm across pods of one Deployment into exactly one incident', () => {
    const signals = parseAlertmanager(storm(200), { now: NOW });
    expect(new Set(signals.map((s) => s.pod)).size).toBeGreaterThan(100);
    const incidents = coalesce(signals, { now: NOW });
    expect(incidents).toHaveLength(1);
    const [incident] = incidents;
    expect(Incident.parse(incident)).toEqual(incident);
    expect(incident).toMatchObject({
      target: {
        cluster: 'production',
        namespace: 'checkout',
        kind: 'Deployment',
        name: 'checkout',
      },
      fingerprint: fingerprint({
        cluster: 'production',
        namespace: 'checkout',
        kind: 'Deployment',
        name: 'checkout',
      }),
      kinds: ['CrashLoopBackOff', 'OOMKilled'],
      containers: ['checkout'],
      occurrences: 200,
      firstSeen: signals[0]?.observedAt,
      lastSeen: signals[199]?.observedAt,
    });
    expect(incident?.signals).toHaveLength(20);
    expect(incident?.signals.at(-1)?.id).toBe(signals[199]?.id);
    expect(incident?.risk.type).toBe('resource-pressure');
  });

  it('deduplicates by signal id: the same payload twice counts once', () => {
    const signals = parseAlertmanager(storm(30), { now: NOW });
    expect(coalesce([...signals, ...signals], { now: NOW })[0]?.occurrences).toBe(30);
  });

  it('creates no incident from resolved signals, and a resolved id cancels its firing twin', () => {
    expect(
      coalesce(parseAlertmanager(storm(10, 'resolved'), { now: NOW }), {
        now: NOW,
      }),
    ).toEqual([]);
    const firing = parseAlertmanager(storm(10), { now: NOW });
    const resolved = parseAlertmanager(storm(10, 'resolved'), { now: NOW });
    expect(coalesce([...firing, ...resolved.slice(0, 4)], { now: NOW })[0]?.occurrences).toBe(6);
    expect(coalesce([...firing, ...resolved], { now: NOW })).toEqual([]);
  });

  it('keeps owners apart and sorts incidents by fingerprint', () => {
    const signal = (cluster: string, name: string, kind: string): Signal => ({
      id: `${cluster}/${name}/${kind}`,
      source: 'kubernetes',
      kind: 'OOMKilled',
      status: 'firing',
      target: { cluster, namespace: 'ns', kind, name },
      observedAt: '2025-06-12T09:00:00Z',
      labels: {},
      evidence: [],
    });
    const incidents = coalesce(
      [
        signal('a', 'web', 'Deployment'),
        signal('b', 'web', 'Deployment'),
        signal('a', 'web', 'HorizontalPodAutoscaler'),
        signal('a', 'db', 'StatefulSet'),
      ],
      { now: NOW },
    );
    expect(incidents).toHaveLength(4);
    const fps = incidents.map((i) => i.fingerprint);
    expect(fps).toEqual([...fps].sort());
  });

  it('ignores stale signals when maxAgeMs is set', () => {
    const signals = parseAlertmanager(storm(100), { now: NOW });
    expect(coalesce(signals, { now: NOW, maxAgeMs: 50_000 })[0]?.occurrences).toBe(50);
    expect(
      coalesce(signals, {
        now: new Date('2025-07-01T00:00:00Z'),
        maxAgeMs: 3_600_000,
      }),
    ).toEqual([]);
  });
});
