import { describe, expect, it } from 'vitest';
import { InputError } from '../model/index.ts';
import { intakeAlertmanager, parseAlertmanager } from './alertmanager.ts';

const NOW = new Date('2025-06-12T10:00:00Z');

function alert(labels: Record<string, string>, extra: Record<string, unknown> = {}) {
  return {
    status: 'firing',
    labels,
    annotations: { summary: 's' },
    startsAt: '2025-06-12T09:30:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus/graph',
    fingerprint: `fp${Object.values(labels).join('').length}`,
    ...extra,
  };
}

function payload(alerts: unknown[], extra: Record<string, unknown> = {}) {
  return {
    version: '4',
    groupKey: '{}:{alertname="x"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'salve',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts,
    ...extra,
  };
}

const pod = {
  cluster: 'prod',
  namespace: 'shop',
  pod: 'web-7d9f8b6c5d-x2x7k',
  container: 'web',
};

describe('intake/alertmanager', () => {
  it('maps each recognised alert to its kind and the pod owner', () => {
    const { signals, skipped } = intakeAlertmanager(
      payload([
        alert({
          alertname: 'KubePodCrashLooping',
          reason: 'CrashLoopBackOff',
          ...pod,
        }),
        alert({
          alertname: 'KubeContainerWaiting',
          reason: 'ErrImagePull',
          ...pod,
        }),
        alert({
          alertname: 'KubePodNotReady',
          cluster: 'prod',
          namespace: 'shop',
          pod: 'db-2',
        }),
        alert({ alertname: 'CPUThrottlingHigh', severity: 'info', ...pod }),
        alert({
          alertname: 'KubeMemoryPressureCustom',
          reason: 'OOMKilled',
          ...pod,
        }),
        alert({
          alertname: 'KubeHpaMaxedOut',
          cluster: 'prod',
          namespace: 'shop',
          horizontalpodautoscaler: 'web',
        }),
      ]),
      { now: NOW },
    );
    expect(skipped).toEqual([]);
    expect(signals.map((s) => [s.kind, s.target.kind, s.target.name])).toEqual([
      ['CrashLoopBackOff', 'Deployment', 'web'],
      ['ImagePullBackOff', 'Deployment', 'web'],
      ['PodNotReady', 'StatefulSet', 'db'],
      ['CPUThrottling', 'Deployment', 'web'],
      ['OOMKilled', 'Deployment', 'web'],
      ['HPAMaxedOut', 'HorizontalPodAutoscaler', 'web'],
    ]);
    expect(signals[0]).toMatchObject({
      source: 'alertmanager',
      status: 'firing',
      container: 'web',
      pod: pod.pod,
      observedAt: '2025-06-12T09:30:00Z',
    });
    expect(signals[0]?.target.cluster).toBe('prod');
  });

  it('skips and reports unrecognised alerts and non-actionable waiting reasons', () => {
    const { signals, skipped } = intakeAlertmanager(
      payload([
        alert({ alertname: 'Watchdog', severity: 'none' }),
        alert({
          alertname: 'KubeContainerWaiting',
          reason: 'CreateContainerConfigError',
          ...pod,
        }),
        alert({
          alertname: 'KubePodCrashLooping',
          cluster: 'prod',
          pod: 'x-0',
        }),
      ]),
      { now: NOW },
    );
    expect(signals).toEqual([]);
    expect(skipped).toEqual([
      {
        alertname: 'Watchdog',
        code: 'unrecognised',
        reason:
          'unrecognised alert name: no built-in rule and no alerts: entry in .salve.yaml maps it to a signal kind',
      },
      {
        alertname: 'KubeContainerWaiting',
        code: 'not-actionable',
        reason: 'waiting reason CreateContainerConfigError is not actionable',
      },
      { alertname: 'KubePodCrashLooping', code: 'missing-label', reason: 'no namespace label' },
    ]);
  });

  it('reports alerts Alertmanager truncated', () => {
    const { skipped } = intakeAlertmanager(payload([], { truncatedAlerts: 12 }), { now: NOW });
    expect(skipped).toEqual([
      { alertname: '(truncated)', code: 'truncated', reason: 'Alertmanager left out 12 alerts (max_alerts)' },
    ]);
  });

  it('turns resolved alerts into resolved signals observed at endsAt', () => {
    const [s] = parseAlertmanager(
      payload(
        [alert({ alertname: 'KubePodCrashLooping', ...pod }, { status: 'resolved', endsAt: '2025-06-12T09:50:00Z' })],
        { status: 'resolved' },
      ),
      { now: NOW },
    );
    expect(s).toMatchObject({
      status: 'resolved',
      observedAt: '2025-06-12T09:50:00Z',
    });
  });

  it('takes the cluster from options when the alert has no cluster label, and fails without one', () => {
    const labels = {
      alertname: 'KubePodCrashLooping',
      namespace: 'shop',
      pod: 'web-0',
    };
    expect(
      parseAlertmanager(payload([alert(labels)]), {
        cluster: 'edge',
        now: NOW,
      })[0]?.target.cluster,
    ).toBe('edge');
    expect(() =>
      parseAlertmanager(payload([alert(labels)]), {
        now: NOW,
        source: 'a.json',
      }),
    ).toThrow(/alerts\[0\]\.labels in a\.json: .*no cluster/);
  });

  it('rejects a wrong version, naming the source', () => {
    const run = () => parseAlertmanager(payload([], { version: '3' }), { source: 'old.json' });
    expect(run).toThrow(InputError);
    expect(run).toThrow(/version in old\.json: .*"3" is not supported/);
  });

  it('rejects malformed payloads with the zod path', () => {
    const bad = payload([
      alert({ alertname: 'A' }),
      alert({ alertname: 'B' }),
      alert({ alertname: 'C' }),
      { ...alert({}), labels: 'nope' },
    ]);
    expect(() => parseAlertmanager(bad, { source: 'bad.json' })).toThrow(
      /bad\.json: alerts\[3\]\.labels: .*expected record/,
    );
    const { alerts: _omit, ...noAlerts } = payload([]);
    expect(() => parseAlertmanager(noAlerts, { source: 'x.json' })).toThrow(/x\.json: alerts: /);
    expect(() => parseAlertmanager(payload([{ ...alert({}), startsAt: 42 }]))).toThrow(/alerts\[0\]\.startsAt/);
    expect(() => parseAlertmanager('hello')).toThrow(InputError);
  });

  it('rejects alerts that start more than 5 minutes in the future', () => {
    const future = payload([alert({ alertname: 'KubePodCrashLooping', ...pod }, { startsAt: '2025-06-12T10:06:00Z' })]);
    expect(() => parseAlertmanager(future, { now: NOW, source: 'f.json' })).toThrow(
      /alerts\[0\]\.startsAt in f\.json: .*future|more than 5 minutes/,
    );
    const skewed = payload([alert({ alertname: 'KubePodCrashLooping', ...pod }, { startsAt: '2025-06-12T10:04:00Z' })]);
    expect(parseAlertmanager(skewed, { now: NOW })).toHaveLength(1);
  });
});
