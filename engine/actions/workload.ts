/** Helpers shared by actions that edit a workload's pod template. */
import type { Incident } from '../model/index.ts';
import type { K8sObject } from '../model/remediation.ts';

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout'] as const;

export type ContainerList = 'containers' | 'initContainers';

export interface Container {
  name: string;
  image?: string;
  resources?: { limits?: Record<string, unknown>; requests?: Record<string, unknown> };
}

/** A container and the list of the pod template it is in. */
export type PodContainer = Container & { list: ContainerList };

export function findWorkload(objects: readonly K8sObject[], incident: Incident): K8sObject | null {
  const { kind, name, namespace } = incident.target;
  return (
    objects.find(
      (o) => o.kind === kind && o.metadata.name === name && (o.metadata.namespace ?? namespace) === namespace,
    ) ?? null
  );
}

export function containersOf(workload: K8sObject): Container[] {
  const spec = workload.spec as { template?: { spec?: { containers?: Container[] } } } | undefined;
  return spec?.template?.spec?.containers ?? [];
}

/** Every container of the pod template, init containers included, with the list each is in. */
export function podContainers(workload: K8sObject): PodContainer[] {
  const spec = workload.spec as { template?: { spec?: { initContainers?: Container[] } } } | undefined;
  return [
    ...containersOf(workload).map((c) => ({ ...c, list: 'containers' as const })),
    ...(spec?.template?.spec?.initContainers ?? []).map((c) => ({ ...c, list: 'initContainers' as const })),
  ];
}

/**
 * The container the incident names (an init container too: an OOM-killed init container is
 * raised, not the app beside it), or the only container; null when it cannot be told.
 */
export function pickContainer(workload: K8sObject, incident: Incident): PodContainer | null {
  const all = podContainers(workload);
  const named = incident.containers.map((c) => all.find((x) => x.name === c)).find(Boolean);
  if (named) return named;
  const containers = all.filter((c) => c.list === 'containers');
  return containers.length === 1 ? (containers[0] ?? null) : null;
}

/** Params that say which list a container is in: none for `containers`, so their proofs read as before. */
export function listParam(container: PodContainer): { containerList?: 'initContainers' } {
  return container.list === 'initContainers' ? { containerList: 'initContainers' } : {};
}

export function containerPath(container: string, rest: string, list: unknown = 'containers'): string {
  const key = list === 'initContainers' ? 'initContainers' : 'containers';
  return `/spec/template/spec/${key}[name=${container}]${rest}`;
}

export function objectRef(o: K8sObject): { apiVersion: string; kind: string; name: string; namespace?: string } {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name,
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
  };
}
