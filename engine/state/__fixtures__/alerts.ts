/** Alertmanager alerts as Alertmanager sends them: the fingerprint is a hash of the label set. */
import { createHash } from 'node:crypto';
import type { AlertmanagerAlert } from '../../intake/alertmanager-schema.ts';

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** A pod name as a Deployment's ReplicaSet names its pods (`<name>-<hash>-<5 chars>`), the n-th one. */
export function deploymentPod(name: string, n: number): string {
  let suffix = '';
  for (let i = 0, v = n; i < 5; i++, v = Math.floor(v / SAFE.length)) suffix = SAFE[v % SAFE.length] + suffix;
  return `${name}-7d9f8b6c4-${suffix}`;
}

export function podAlert(
  pod: string,
  o: { namespace?: string; status?: 'firing' | 'resolved'; startsAt?: string } = {},
): AlertmanagerAlert {
  const labels = {
    alertname: 'KubePodCrashLooping',
    cluster: 'staging',
    namespace: o.namespace ?? 'shop',
    pod,
    container: 'app',
  };
  return {
    status: o.status ?? 'firing',
    labels,
    annotations: { summary: 'Pod is crash looping.' },
    startsAt: o.startsAt ?? '2025-03-04T09:58:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    fingerprint: createHash('sha256').update(JSON.stringify(labels)).digest('hex').slice(0, 16),
  };
}
