/** Helpers shared by actions that edit a workload's pod template. */
import type { Incident } from '../model/index.ts';
import type { K8sObject } from '../model/remediation.ts';

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout'] as const;

export interface Container {
  name: string;
  image?: string;
  resources?: { limits?: Record<string, unknown>; requests?: Record<string, unknown> };
}

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

/** The container the incident names, or the only container; null when it cannot be told. */
export function pickContainer(workload: K8sObject, incident: Incident): Container | null {
  const containers = containersOf(workload);
  const named = incident.containers.map((c) => containers.find((x) => x.name === c)).find(Boolean);
  if (named) return named;
  return containers.length === 1 ? (containers[0] ?? null) : null;
}

export function containerPath(container: string, rest: string): string {
  return `/spec/template/spec/containers[name=${container}]${rest}`;
}

export function objectRef(o: K8sObject): { apiVersion: string; kind: string; name: string; namespace?: string } {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name,
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
  };
}
