import { describe, expect, it } from 'vitest';
import { SalveConfig } from '../config/schema.ts';
import { wildcardMatch } from './alert-mapping.ts';
import { intakeAlertmanager } from './alertmanager.ts';

const NOW = new Date('2025-06-12T10:00:00Z');

function payload(alerts: { labels: Record<string, string>; description?: string }[]) {
  return {
    version: '4',
    groupKey: '{}/{severity="warning"}:{alertname="x"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'salve',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.monitoring:9093',
    alerts: alerts.map((a, i) => ({
      status: 'firing',
      labels: a.labels,
      annotations: { summary: a.labels.alertname ?? '', description: a.description ?? '' },
      startsAt: '2025-06-12T09:30:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.monitoring:9090/graph?g0.expr=x',
      fingerprint: `a1b2c3d4e5f6000${i}`,
    })),
  };
}

/**
 * awesome-prometheus-alerts' kube-state-metrics rules as Prometheus fires them: the labels of the
 * series the expression keeps, plus the rule's `severity`. KubernetesContainerOomKiller keeps the
 * restarts series (`ignoring (reason)`): it carries no `reason` label, so no built-in rule knows it.
 */
const KSM = { job: 'kube-state-metrics', instance: '10.42.0.17:8080', uid: '0b6a3c1e-5f2d-4d7a-9e0b-2c4f6a8d1e3b' };
const awesome = {
  oom: {
    alertname: 'KubernetesContainerOomKiller',
    severity: 'warning',
    namespace: 'shop',
    pod: 'web-7d9f8b6c5d-x2x7k',
    container: 'web',
    ...KSM,
  },
  crashLoop: {
    alertname: 'KubernetesPodCrashLooping',
    severity: 'warning',
    namespace: 'shop',
    pod: 'api-6c9d8f7b5c-q8w4n',
    container: 'api',
    ...KSM,
  },
  hpa: {
    alertname: 'KubernetesHpaScaleCapability',
    severity: 'info',
    namespace: 'shop',
    horizontalpodautoscaler: 'web',
    ...KSM,
  },
  notHealthy: { alertname: 'KubernetesPodNotHealthy', severity: 'critical', namespace: 'shop', pod: 'web-0' },
};

const AWESOME = [
  { alertname: 'KubernetesContainerOomKiller', kind: 'OOMKilled' },
  { alertname: 'KubernetesPodCrashLooping', kind: 'CrashLoopBackOff' },
  { alertname: 'KubernetesHpaScaleCapability', kind: 'HPAMaxedOut' },
];

/** A vendor's rule: its own alert names, tags for labels, the deployment named directly. */
const VENDOR = {
  match: { alertname: '[Datadog] Container OOM*', team: ['payments', 'checkout'] },
  kind: 'OOMKilled',
  labels: {
    namespace: 'kube_namespace',
    workload: 'kube_deployment',
    workloadKind: 'Deployment',
    container: 'kube_container_name',
    cluster: 'kube_cluster_name',
  },
};

function intake(labels: Record<string, string>[], alerts: unknown[], cluster?: string) {
  const config = SalveConfig.parse({ alerts });
  return intakeAlertmanager(payload(labels.map((l) => ({ labels: l }))), {
    now: NOW,
    alerts: config.alerts,
    ...(cluster ? { cluster } : {}),
  });
}

describe('intake/alert-mapping', () => {
  it('matches exact names and * wildcards, nothing else special, in time linear in the value', () => {
    expect(wildcardMatch('KubernetesContainerOomKiller', 'KubernetesContainerOomKiller')).toBe(true);
    expect(wildcardMatch('Kubernetes*Oom*', 'KubernetesContainerOomKiller')).toBe(true);
    expect(wildcardMatch('*', '')).toBe(true);
    expect(wildcardMatch('Kube.*', 'KubePodCrashLooping')).toBe(false);
    expect(wildcardMatch('a*b', 'a-b-c')).toBe(false);
    expect(wildcardMatch('a*b*c', 'a-b-c')).toBe(true);
    // The shape that makes a backtracking regex explode is one pass here.
    const long = 'a'.repeat(100_000);
    expect(wildcardMatch(`${'*a'.repeat(40)}b`, long)).toBe(false);
  });

  it('leaves out an alert no rule knows, saying why, as before any mapping', () => {
    const { signals, skipped } = intake([{ ...awesome.oom, alertname: 'MyCustomOOMAlert' }], [], 'prod');
    expect(signals).toEqual([]);
    expect(skipped).toEqual([
      {
        alertname: 'MyCustomOOMAlert',
        code: 'unrecognised',
        reason:
          'unrecognised alert name: no built-in rule and no alerts: entry in .salve.yaml maps it to a signal kind',
      },
    ]);
    // Without a mapping, awesome-prometheus-alerts' names are as unknown as a custom one.
    expect(intake([awesome.oom, awesome.crashLoop], [], 'prod').skipped.map((s) => s.code)).toEqual([
      'unrecognised',
      'unrecognised',
    ]);
  });

  it("reads awesome-prometheus-alerts' kube-state-metrics rules through an alerts: mapping", () => {
    const { signals, skipped } = intake(
      [awesome.oom, awesome.crashLoop, awesome.hpa, awesome.notHealthy],
      AWESOME,
      'prod',
    );
    expect(skipped).toEqual([expect.objectContaining({ alertname: 'KubernetesPodNotHealthy', code: 'unrecognised' })]);
    expect(signals.map((s) => [s.kind, s.target, s.container])).toEqual([
      ['OOMKilled', { cluster: 'prod', namespace: 'shop', kind: 'Deployment', name: 'web' }, 'web'],
      ['CrashLoopBackOff', { cluster: 'prod', namespace: 'shop', kind: 'Deployment', name: 'api' }, 'api'],
      ['HPAMaxedOut', { cluster: 'prod', namespace: 'shop', kind: 'HorizontalPodAutoscaler', name: 'web' }, undefined],
    ]);
    expect(signals[0]?.evidence[0]?.data).toMatchObject({
      alertname: 'KubernetesContainerOomKiller',
      mappedBy: 'alerts[0] in .salve.yaml',
      container: 'web',
      pod: 'web-7d9f8b6c5d-x2x7k',
    });
  });

  it("reads a vendor rule by its labels, with the vendor's own label names for namespace, workload, container and cluster", () => {
    const vendor = {
      alertname: '[Datadog] Container OOM on payments-api',
      team: 'payments',
      kube_namespace: 'payments',
      kube_deployment: 'payments-api',
      kube_container_name: 'api',
      kube_cluster_name: 'eu-prod-1',
    };
    const { signals, skipped } = intake([vendor, { ...vendor, team: 'search' }], [VENDOR]);
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({
      kind: 'OOMKilled',
      target: { cluster: 'eu-prod-1', namespace: 'payments', kind: 'Deployment', name: 'payments-api' },
      container: 'api',
    });
    // team=search matches no entry: left out, and said so.
    expect(skipped).toEqual([expect.objectContaining({ alertname: vendor.alertname, code: 'unrecognised' })]);
  });

  it('names the label a mapped alert lacks, and the entry that expected it', () => {
    const { skipped } = intake(
      [
        { ...awesome.oom, namespace: '' },
        { alertname: 'KubernetesContainerOomKiller', namespace: 'shop' },
      ],
      AWESOME,
      'prod',
    );
    expect(skipped).toEqual([
      {
        alertname: 'KubernetesContainerOomKiller',
        code: 'missing-label',
        reason: 'no namespace label (alerts[0] in .salve.yaml maps it to OOMKilled)',
      },
      {
        alertname: 'KubernetesContainerOomKiller',
        code: 'missing-label',
        reason: 'no pod or workload label (alerts[0] in .salve.yaml maps it to OOMKilled)',
      },
    ]);
  });

  it('tries the entries in order, before the built-in names', () => {
    const crash = { ...awesome.crashLoop, alertname: 'KubePodCrashLooping' };
    const { signals } = intake([crash], [{ alertname: 'KubePodCrashLooping', kind: 'PodNotReady' }], 'prod');
    expect(signals.map((s) => s.kind)).toEqual(['PodNotReady']);
  });

  it('refuses an entry that would match every alert, a bad label name or an unknown kind, naming the field', () => {
    const bad = (alerts: unknown) => SalveConfig.safeParse({ alerts }).error?.issues.map((i) => i.path.join('.'));
    expect(bad([{ kind: 'OOMKilled' }])).toEqual(['alerts.0']);
    expect(bad([{ alertname: 'x', kind: 'OOMKilled', labels: { namespace: 'kube-namespace' } }])).toEqual([
      'alerts.0.labels.namespace',
    ]);
    expect(bad([{ alertname: 'x', kind: 'Exploded' }])).toEqual(['alerts.0.kind']);
  });
});
