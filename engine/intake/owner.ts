/**
 * Top-level owner resolution: which workload a pod belongs to.
 *
 * From ownerReferences when the pod carries them (Kubernetes objects), else from the pod name
 * (alerts carry only a `pod` label):
 * - ReplicaSet `name-<pod-template-hash>` → Deployment `name` (Rollout when the pod carries
 *   `rollouts-pod-template-hash`); the hash label, when present, is stripped exactly.
 * - StatefulSet, DaemonSet → themselves. Job `name-<8+ digits>` → CronJob `name`, else Job.
 * - Name only: `name-<hash>-<5 chars>` → Deployment `name`; `name-<ordinal>` → StatefulSet `name`;
 *   anything else stays a Pod (resolution downstream then says no overlay renders it).
 */

export interface Owner {
  kind: string;
  name: string;
}

export interface OwnerReference {
  kind: string;
  name: string;
  controller?: boolean | undefined;
}

/** Characters Kubernetes uses for generated name suffixes and pod-template-hash values. */
const SAFE = '[bcdfghjklmnpqrstvwxz2456789]';
const DEPLOYMENT_POD = new RegExp(`^(.+)-${SAFE}{6,10}-${SAFE}{5}$`);
const REPLICASET = new RegExp(`^(.+)-${SAFE}{6,10}$`);
const ORDINAL = /^(.+)-(0|[1-9]\d*)$/;
const CRONJOB_JOB = /^(.+)-\d{8,}$/;

function fromReplicaSet(rs: string, labels: Record<string, string>): Owner {
  const rolloutHash = labels['rollouts-pod-template-hash'];
  if (rolloutHash && rs.endsWith(`-${rolloutHash}`)) {
    return { kind: 'Rollout', name: rs.slice(0, -(rolloutHash.length + 1)) };
  }
  const hash = labels['pod-template-hash'];
  if (hash && rs.endsWith(`-${hash}`)) return { kind: 'Deployment', name: rs.slice(0, -(hash.length + 1)) };
  const m = REPLICASET.exec(rs);
  return m?.[1] ? { kind: 'Deployment', name: m[1] } : { kind: 'ReplicaSet', name: rs };
}

/** The owner a pod name implies when nothing else is known. */
export function ownerFromPodName(pod: string, labels: Record<string, string> = {}): Owner {
  const hash = labels['pod-template-hash'];
  if (hash) {
    const at = pod.lastIndexOf(`-${hash}-`);
    if (at > 0 && pod.length - (at + hash.length + 2) === 5)
      return fromReplicaSet(pod.slice(0, at + hash.length + 1), labels);
  }
  const deployment = DEPLOYMENT_POD.exec(pod);
  if (deployment?.[1]) return { kind: 'Deployment', name: deployment[1] };
  const ordinal = ORDINAL.exec(pod);
  if (ordinal?.[1]) return { kind: 'StatefulSet', name: ordinal[1] };
  return { kind: 'Pod', name: pod };
}

/** The top-level owner of a pod, from its controller reference, else from its name. */
export function resolvePodOwner(
  pod: string,
  refs: readonly OwnerReference[] = [],
  labels: Record<string, string> = {},
): Owner {
  const ref = refs.find((r) => r.controller) ?? refs[0];
  if (!ref) return ownerFromPodName(pod, labels);
  switch (ref.kind) {
    case 'ReplicaSet':
      return fromReplicaSet(ref.name, labels);
    case 'Job': {
      const m = CRONJOB_JOB.exec(ref.name);
      return m?.[1] ? { kind: 'CronJob', name: m[1] } : { kind: 'Job', name: ref.name };
    }
    default:
      return { kind: ref.kind, name: ref.name };
  }
}
