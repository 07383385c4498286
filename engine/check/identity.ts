/**
 * The one identity rule for rendered objects, used by plan, check, the proof and verify: an object
 * is who it is in the cluster. Argo CD applies a namespaced object that renders without
 * `metadata.namespace` in its Application's destination namespace, so that is its namespace here
 * too; cluster-scoped objects have none. Scope comes from the built-in kinds below and from the
 * CustomResourceDefinitions in the same render; any other kind is taken as namespaced (Argo CD
 * would ask the API server; salve never talks to one while planning).
 */
import type { K8sObject } from '../model/remediation.ts';
import { apiGroup } from './object-key.ts';

/** `group/Kind` of the built-in cluster-scoped kinds (core group is empty). */
const CLUSTER_SCOPED = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/MutatingAdmissionPolicy',
  'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/VolumeAttachment',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/VolumeAttributesClass',
  'scheduling.k8s.io/PriorityClass',
  'node.k8s.io/RuntimeClass',
  'networking.k8s.io/IngressClass',
  'networking.k8s.io/IPAddress',
  'networking.k8s.io/ServiceCIDR',
  'certificates.k8s.io/CertificateSigningRequest',
  'certificates.k8s.io/ClusterTrustBundle',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'policy/PodSecurityPolicy',
  'resource.k8s.io/DeviceClass',
  'resource.k8s.io/ResourceSlice',
]);

function clusterScopedCrds(objects: readonly K8sObject[]): Set<string> {
  const out = new Set<string>();
  for (const o of objects) {
    if (o.kind !== 'CustomResourceDefinition') continue;
    const spec = o.spec as { group?: unknown; scope?: unknown; names?: { kind?: unknown } } | undefined;
    if (spec?.scope === 'Cluster' && typeof spec.group === 'string' && typeof spec.names?.kind === 'string')
      out.add(`${spec.group}/${spec.names.kind}`);
  }
  return out;
}

/**
 * The objects as the cluster holds them: every namespaced object without a namespace placed in
 * `namespace` (the Application's destination). Objects already placed are returned as they are.
 */
export function placeObjects(objects: readonly K8sObject[], namespace: string): K8sObject[] {
  if (namespace === '') return [...objects];
  const crds = clusterScopedCrds(objects);
  return objects.map((o) => {
    if (o.metadata.namespace !== undefined && o.metadata.namespace !== '') return o;
    const kind = `${apiGroup(o.apiVersion)}/${o.kind}`;
    if (CLUSTER_SCOPED.has(kind) || crds.has(kind)) return o;
    return { ...o, metadata: { ...o.metadata, namespace } };
  });
}
