/** Objects the tests write to the test kube-apiserver, playing the kubelet and the controllers. */
import { type KubeInfo, kubeCall } from '../../engine/demo/servers/kube-client.ts';

export { ensureNamespace } from '../../engine/demo/play.ts';

/** A pod of Deployment `deployment` (through its ReplicaSet), as the ReplicaSet controller creates it. */
export async function createDeploymentPod(
  kube: KubeInfo,
  ns: string,
  deployment: string,
  opts: { hash?: string; suffix?: string; image?: string; container?: string; node?: string } = {},
): Promise<string> {
  const hash = opts.hash ?? '7d9c6b5f4';
  const name = `${deployment}-${hash}-${opts.suffix ?? 'x2x9z'}`;
  await kubeCall(kube, kube.identities.admin, 'POST', `/api/v1/namespaces/${ns}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      labels: { app: deployment, 'pod-template-hash': hash },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${deployment}-${hash}`,
          uid: `rs-${deployment}-${hash}`,
          controller: true,
        },
      ],
    },
    spec: {
      containers: [{ name: opts.container ?? deployment, image: opts.image ?? `ghcr.io/acme/${deployment}:1.4.2` }],
      ...(opts.node ? { nodeName: opts.node } : {}),
    },
  });
  return name;
}

/** Writes a pod's status through the status subresource, as the kubelet does. */
export async function writePodStatus(
  kube: KubeInfo,
  ns: string,
  pod: string,
  status: Record<string, unknown>,
): Promise<void> {
  await kubeCall(
    kube,
    kube.identities.admin,
    'PATCH',
    `/api/v1/namespaces/${ns}/pods/${pod}/status`,
    { status },
    'application/merge-patch+json',
  );
}

/** A container status of an OOM-killed container now in CrashLoopBackOff. */
export function oomKilledStatus(container: string, image: string, finishedAt: string): Record<string, unknown> {
  return {
    phase: 'Running',
    containerStatuses: [
      {
        name: container,
        image,
        imageID: `${image.split(':')[0]}@sha256:${'ab'.repeat(32)}`,
        ready: false,
        restartCount: 5,
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container' } },
        lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, startedAt: finishedAt, finishedAt } },
      },
    ],
  };
}

/** A Warning event about a pod, as the kubelet or the scheduler records it. */
export async function createPodEvent(
  kube: KubeInfo,
  ns: string,
  pod: string,
  e: { reason: string; message: string; type?: string; container?: string; at: string; count?: number; name?: string },
): Promise<void> {
  await kubeCall(kube, kube.identities.admin, 'POST', `/api/v1/namespaces/${ns}/events`, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: e.name ?? `${pod}.${Math.random().toString(16).slice(2, 10)}` },
    involvedObject: {
      apiVersion: 'v1',
      kind: 'Pod',
      name: pod,
      namespace: ns,
      ...(e.container ? { fieldPath: `spec.containers{${e.container}}` } : {}),
    },
    reason: e.reason,
    message: e.message,
    type: e.type ?? 'Warning',
    count: e.count ?? 1,
    firstTimestamp: e.at,
    lastTimestamp: e.at,
    source: { component: 'kubelet', host: 'node-1' },
  });
}
