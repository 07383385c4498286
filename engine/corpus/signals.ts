/**
 * The incident a case stands for, as Alertmanager would report it: a few critical alerts on two
 * pods of the workload, naming the container (and, for a failing image, the image it runs).
 */
import type { Incident, Signal, SignalKind } from '../model/index.ts';
import { coalesce } from '../perceive/index.ts';
import type { Case, CorpusAction } from './cases.ts';

const KIND: Record<CorpusAction, SignalKind> = {
  'raise-memory-limit': 'OOMKilled',
  'raise-cpu-limit': 'CPUThrottling',
  'raise-hpa-max-replicas': 'HPAMaxedOut',
  'rollback-image': 'CrashLoopBackOff',
  'adopt-argo-rollouts': 'OOMKilled',
};

const ALERT: Record<SignalKind, string> = {
  OOMKilled: 'KubePodCrashLooping',
  CPUThrottling: 'CPUThrottlingHigh',
  HPAMaxedOut: 'KubeHpaMaxedOut',
  CrashLoopBackOff: 'KubePodCrashLooping',
} as Record<SignalKind, string>;

/** `image`: what the failing pods run (the rendered image). */
export function incidentFor(c: Case, cluster: string, image: string, now: Date): Incident {
  const kind = KIND[c.trigger ?? c.action];
  const target = { cluster, namespace: c.workload.namespace, kind: c.workload.kind, name: c.workload.name };
  const signals: Signal[] = [0, 1, 2].map((i) => {
    const observedAt = new Date(now.getTime() - (3 - i) * 60_000).toISOString();
    const pod = `${c.workload.name}-${i % 2 === 0 ? '7d9c5b8f6d-x2x7q' : '7d9c5b8f6d-p9k2m'}`;
    return {
      id: `${c.action}/${c.workload.kind}/${c.workload.name}/${c.container.name}/${i}`,
      source: 'alertmanager',
      kind,
      status: 'firing',
      target,
      ...(kind === 'HPAMaxedOut' ? {} : { container: c.container.name, pod }),
      observedAt,
      labels: { alertname: ALERT[kind], severity: 'critical', cluster, namespace: target.namespace },
      evidence: [
        {
          source: ALERT[kind],
          summary: `${ALERT[kind]} on ${target.namespace}/${pod}`,
          at: observedAt,
          data: { container: c.container.name, image, restartCount: 6 + i },
        },
      ],
    };
  });
  const [incident] = coalesce(signals, { now });
  if (!incident) throw new Error('coalescing three firing signals gave no incident');
  return incident;
}
