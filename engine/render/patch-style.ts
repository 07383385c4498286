/** Strategic merge or JSON6902: the patch form that renders exactly the edit, and nothing else. */
import type { K8sObject } from '../model/remediation.ts';

export type PatchStyle = 'strategic-merge' | 'json6902';

/** Where a container sits in its pod template: `containers` or `initContainers`, at `index` of `count`. */
export interface ContainerSlot {
  list: 'containers' | 'initContainers';
  name: string;
  index: number;
  count: number;
}

/** Kinds outside the built-in API groups: kustomize has no merge keys for them. */
export function isCustomKind(object: Pick<K8sObject, 'apiVersion'>): boolean {
  const group = object.apiVersion.includes('/') ? (object.apiVersion.split('/')[0] ?? '') : '';
  return group.includes('.') && !group.endsWith('.k8s.io');
}

/**
 * Strategic merge reads best and is what a human writes, except where kustomize renders more than
 * the edit: a custom kind merges lists wholesale (a container patch would drop the other
 * containers), and kustomize 5 moves the patched container to the front of a list of several
 * (kubernetes-sigs/kustomize#5904), changing the pod's default container. Those get JSON6902.
 */
export function patchStyle(object: K8sObject, slot: ContainerSlot | null): PatchStyle {
  if (isCustomKind(object)) return 'json6902';
  return slot !== null && slot.count > 1 ? 'json6902' : 'strategic-merge';
}

interface PodTemplate {
  spec?: { template?: { spec?: Record<string, Array<{ name?: unknown }> | undefined> } };
}

/** The container named `name` in the object's pod template, containers first; null when absent. */
export function containerSlot(object: K8sObject, name: string): ContainerSlot | null {
  const pod = (object as PodTemplate).spec?.template?.spec ?? {};
  for (const list of ['containers', 'initContainers'] as const) {
    const items = pod[list] ?? [];
    const index = items.findIndex((c) => c.name === name);
    if (index >= 0) return { list, name, index, count: items.length };
  }
  return null;
}
