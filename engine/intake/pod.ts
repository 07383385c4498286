/** A Kubernetes Pod object → one Signal per problematic container (and one when it cannot schedule). */
import { InputError, type Signal } from '../model/index.ts';
import { inspectContainer } from './container-status.ts';
import { checkCluster, checkName } from './names.ts';
import { resolvePodOwner } from './owner.ts';
import { Pod } from './pod-schema.ts';
import { capSignal } from './text-caps.ts';
import { where } from './types.ts';
import { formatIssues } from './zod-issues.ts';

export interface PodOptions {
  /** Pods do not name their cluster: the caller does (`--cluster`). */
  cluster: string;
  source?: string;
  now?: Date;
}

export function parsePod(obj: unknown, opts: PodOptions): Signal[] {
  const parsed = Pod.safeParse(obj);
  if (!parsed.success) {
    throw new InputError(`malformed Pod${where(opts.source)}: ${formatIssues(parsed.error)}`, { cause: parsed.error });
  }
  if (!opts.cluster) throw new InputError(`no cluster given for Pod${where(opts.source)} (--cluster)`);
  const pod = parsed.data;
  const now = opts.now ?? new Date();
  const { name, namespace, labels } = pod.metadata;
  const at = (field: string) => `${field}${where(opts.source)}`;
  checkCluster(opts.cluster, '--cluster');
  checkName(name, 'subdomain', at('metadata.name'));
  checkName(namespace, 'label', at('metadata.namespace'));
  const owner = resolvePodOwner(name, pod.metadata.ownerReferences, labels);
  checkName(owner.kind, 'kind', at('metadata.ownerReferences (owner kind)'));
  checkName(owner.name, 'subdomain', at('metadata.ownerReferences (owner name)'));
  const target = { cluster: opts.cluster, namespace, ...owner };
  const podId = pod.metadata.uid ?? `${namespace}/${name}`;
  const ready = pod.status.conditions.find((c) => c.type === 'Ready');
  const fallbackAt = ready?.lastTransitionTime ?? now.toISOString();
  const signals: Signal[] = [];
  const statuses = [...pod.status.initContainerStatuses, ...pod.status.containerStatuses];
  for (const field of ['initContainerStatuses', 'containerStatuses'] as const) {
    for (const [i, cs] of pod.status[field].entries()) checkName(cs.name, 'label', at(`status.${field}[${i}].name`));
  }
  for (const cs of statuses) {
    const finding = inspectContainer(cs, now);
    if (!finding) continue;
    const observedAt = finding.at ?? fallbackAt;
    signals.push({
      id: `kubernetes:${podId}:${cs.name}:${finding.kind}`,
      source: 'kubernetes',
      kind: finding.kind,
      status: 'firing',
      target,
      container: cs.name,
      pod: name,
      observedAt,
      labels: { ...labels, namespace, pod: name, container: cs.name },
      evidence: [
        {
          source: `pod ${namespace}/${name} container ${cs.name}`,
          summary: finding.summary,
          at: observedAt,
          data: finding.data,
        },
      ],
    });
  }
  const scheduled = pod.status.conditions.find((c) => c.type === 'PodScheduled');
  if (pod.status.phase === 'Pending' && scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    const observedAt = scheduled.lastTransitionTime ?? now.toISOString();
    signals.push({
      id: `kubernetes:${podId}:FailedScheduling`,
      source: 'kubernetes',
      kind: 'FailedScheduling',
      status: 'firing',
      target,
      pod: name,
      observedAt,
      labels: { ...labels, namespace, pod: name },
      evidence: [
        {
          source: `pod ${namespace}/${name}`,
          summary: scheduled.message ?? 'pod cannot be scheduled',
          at: observedAt,
          data: { reason: 'Unschedulable' },
        },
      ],
    });
  }
  return signals.map(capSignal);
}
