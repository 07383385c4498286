/** What policy needs to know about the workload a change touches: replicas, autoscaler, delivery. */
import type { Delivery, WorkloadFacts } from '../model/policy.ts';
import type { K8sObject } from '../model/remediation.ts';
import type { ObjectRef } from './types.ts';
import { WORKLOAD_KINDS } from './workload.ts';

type ScaleRef = { kind?: string; name?: string };

function autoscalerOf(objects: readonly K8sObject[], workload: K8sObject): WorkloadFacts['autoscaler'] {
  const hpa = objects.find((o) => {
    const ref = (o.spec as { scaleTargetRef?: ScaleRef } | undefined)?.scaleTargetRef;
    return (
      o.kind === 'HorizontalPodAutoscaler' &&
      ref?.kind === workload.kind &&
      ref.name === workload.metadata.name &&
      o.metadata.namespace === workload.metadata.namespace
    );
  });
  if (!hpa) return null;
  const min = (hpa.spec as { minReplicas?: unknown }).minReplicas;
  return { name: hpa.metadata.name, minReplicas: typeof min === 'number' ? min : null };
}

/** Facts about `object` as rendered; undefined when it is not a workload (an HPA, say). */
export function workloadFacts(
  objects: readonly K8sObject[],
  object: ObjectRef,
  delivery: Delivery,
): WorkloadFacts | undefined {
  if (!(WORKLOAD_KINDS as readonly string[]).includes(object.kind)) return undefined;
  const workload = objects.find(
    (o) =>
      o.kind === object.kind &&
      o.metadata.name === object.name &&
      (object.namespace === undefined || o.metadata.namespace === object.namespace),
  );
  if (!workload) return undefined;
  const replicas = (workload.spec as { replicas?: unknown } | undefined)?.replicas;
  return {
    kind: workload.kind,
    name: workload.metadata.name,
    replicas: typeof replicas === 'number' ? replicas : null,
    autoscaler: autoscalerOf(objects, workload),
    delivery,
  };
}
