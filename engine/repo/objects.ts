/** Lookups in a rendered overlay. */
import type { K8sObject } from '../model/remediation.ts';

export function findObject(
  objects: readonly K8sObject[],
  ref: { kind: string; name: string; namespace?: string | undefined },
): K8sObject | null {
  return (
    objects.find(
      (o) =>
        o.kind === ref.kind &&
        o.metadata.name === ref.name &&
        (ref.namespace === undefined || (o.metadata.namespace ?? '') === ref.namespace),
    ) ?? null
  );
}

/** Labels of the rendered `Namespace` object, `{}` when the overlay does not render it. */
export function namespaceLabels(objects: readonly K8sObject[], namespace: string): Record<string, string> {
  const ns = objects.find((o) => o.kind === 'Namespace' && o.apiVersion === 'v1' && o.metadata.name === namespace);
  return { ...(ns?.metadata.labels ?? {}) };
}
