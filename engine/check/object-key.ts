/** Identity of a rendered object: API group, kind, namespace and name (the version is not identity). */
import type { K8sObject } from '../model/remediation.ts';

export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function objectKey(object: Pick<K8sObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  const ns = object.metadata.namespace ?? '';
  return `${apiGroup(object.apiVersion)}|${object.kind}|${ns}|${object.metadata.name}`;
}

/** `Deployment production/backend`, `Namespace production`: how messages name an object. */
export function describeObject(ref: { kind: string; name: string; namespace?: string | undefined }): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}
