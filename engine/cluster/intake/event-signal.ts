/**
 * A Warning event about a pod → a Signal, for the reasons that say what is wrong:
 * - FailedScheduling → FailedScheduling
 * - Unhealthy (a readiness, liveness or startup probe failed) → ProbeFailure
 * - BackOff: "Back-off restarting failed container" → CrashLoopBackOff, "Back-off pulling image" →
 *   ImagePullBackOff
 * - Failed with ErrImagePull / ImagePullBackOff / "Failed to pull image" → ImagePullBackOff
 * Anyone allowed to create events in a namespace can write one, so the text is capped here and is
 * only ever shown as inert text.
 */
import type { Signal, SignalKind } from '../../model/index.ts';
import type { KubeEvent } from './event-schema.ts';

/** The pod's top-level owner, when the pod is known; else undefined (the name is used). */
export type OwnerLookup = (namespace: string, pod: string) => { kind: string; name: string } | undefined;

export const MAX_EVENT_MESSAGE = 300;
const IMAGE_FAILURE = /ErrImagePull|ImagePullBackOff|Failed to pull image|InvalidImageName/;

export function eventKind(reason: string, message: string): SignalKind | null {
  switch (reason) {
    case 'FailedScheduling':
      return 'FailedScheduling';
    case 'Unhealthy':
      return 'ProbeFailure';
    case 'BackOff':
      if (/pulling image/i.test(message)) return 'ImagePullBackOff';
      if (/restarting failed container/i.test(message)) return 'CrashLoopBackOff';
      return null;
    case 'Failed':
    case 'ErrImagePull':
    case 'ImagePullBackOff':
      return IMAGE_FAILURE.test(message) || reason !== 'Failed' ? 'ImagePullBackOff' : null;
    default:
      return null;
  }
}

/** `spec.containers{web}` → `web`. */
export function containerOf(fieldPath: string | undefined): string | undefined {
  const m = /^spec\.(?:initContainers|containers|ephemeralContainers)\{([^}]+)\}$/.exec(fieldPath ?? '');
  return m?.[1];
}

export function lastSeen(e: KubeEvent): string | undefined {
  return (
    e.series?.lastObservedTime ??
    e.lastTimestamp ??
    e.eventTime ??
    e.firstTimestamp ??
    e.metadata.creationTimestamp ??
    undefined
  );
}

function cap(text: string): string {
  return text.length > MAX_EVENT_MESSAGE
    ? `${text.slice(0, MAX_EVENT_MESSAGE)}… (truncated, ${text.length} chars)`
    : text;
}

export function eventSignal(
  e: KubeEvent,
  opts: { cluster: string; owner: OwnerLookup; resolveByName: (pod: string) => { kind: string; name: string } },
): Signal | null {
  if (e.type !== 'Warning' || e.involvedObject.kind !== 'Pod') return null;
  const pod = e.involvedObject.name;
  const namespace = e.involvedObject.namespace ?? e.metadata.namespace;
  if (!pod || !namespace) return null;
  const reason = e.reason ?? '';
  const message = e.message ?? '';
  const kind = eventKind(reason, message);
  if (!kind) return null;
  const at = lastSeen(e);
  if (!at) return null;
  const owner = opts.owner(namespace, pod) ?? opts.resolveByName(pod);
  const container = containerOf(e.involvedObject.fieldPath);
  const count = e.series?.count ?? e.count ?? 1;
  const data: Record<string, string | number> = { reason, count };
  if (container) data.container = container;
  return {
    id: `kubernetes-event:${e.metadata.uid ?? `${namespace}/${e.metadata.name}`}`,
    source: 'kubernetes',
    kind,
    status: 'firing',
    target: { cluster: opts.cluster, namespace, kind: owner.kind, name: owner.name },
    ...(container ? { container } : {}),
    pod,
    observedAt: at,
    labels: { namespace, pod, reason, ...(container ? { container } : {}) },
    evidence: [
      {
        source: `event ${reason} on pod ${namespace}/${pod}`,
        summary: cap(message || reason),
        at,
        data,
      },
    ],
  };
}
