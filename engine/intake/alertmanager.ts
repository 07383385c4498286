/** Alertmanager webhook (v4) → Signals. Unrecognised alerts are skipped and reported, never errors. */
import { InputError, type Signal, type Target } from '../model/index.ts';
import { counted } from '../model/words.ts';
import { classifyAlert } from './alert-kinds.ts';
import type { LabelNames } from './alert-mapping.ts';
import { type AlertmanagerAlert, AlertmanagerPayload } from './alertmanager-schema.ts';
import { checkCluster, checkName } from './names.ts';
import { ownerFromPodName } from './owner.ts';
import { capAlert, capSignal } from './text-caps.ts';
import type { IntakeOptions, IntakeResult, SkippedAlert } from './types.ts';
import { where } from './types.ts';
import { formatIssues } from './zod-issues.ts';

/** An alert may start at most this far in the future (clock skew); beyond, the payload is stale or forged. */
const MAX_FUTURE_MS = 5 * 60 * 1000;
const WORKLOAD_LABELS = ['deployment', 'statefulset', 'daemonset'] as const;
const WORKLOAD_KIND = {
  deployment: 'Deployment',
  statefulset: 'StatefulSet',
  daemonset: 'DaemonSet',
} as const;

type Owner = Pick<Target, 'kind' | 'name'>;

function ownerOf(labels: Record<string, string>, names: LabelNames, via: string): Owner | string {
  if (names.workload) {
    const name = labels[names.workload.label];
    if (name) return { kind: names.workload.kind, name };
    if (names.workload.kind === 'HorizontalPodAutoscaler' || !labels[names.pod])
      return `no ${names.workload.label} label${via}`;
  }
  const pod = labels[names.pod];
  if (pod) return ownerFromPodName(pod);
  for (const key of WORKLOAD_LABELS) {
    const name = labels[key];
    if (name) return { kind: WORKLOAD_KIND[key], name };
  }
  return `no ${names.pod} or workload label${via}`;
}

type Skip = Omit<SkippedAlert, 'alertname'>;

const missing = (reason: string): Skip => ({ code: 'missing-label', reason });

function toSignal(alert: AlertmanagerAlert, index: number, opts: IntakeOptions, now: Date): Signal | Skip {
  const { labels } = alert;
  const alertname = labels.alertname ?? '(unnamed)';
  const startsAt = new Date(alert.startsAt);
  if (startsAt.getTime() - now.getTime() > MAX_FUTURE_MS) {
    throw new InputError(
      `alerts[${index}].startsAt${where(opts.source)}: ${alertname} starts at ${alert.startsAt}, more than 5 minutes after ${now.toISOString()}; refusing stale or skewed input`,
      { code: 'stale-input' },
    );
  }
  const cls = classifyAlert(labels, opts.alerts);
  if ('skip' in cls) return { code: cls.code, reason: cls.skip };
  const { names } = cls;
  const via = cls.mappedBy ? ` (${cls.mappedBy} in .salve.yaml maps it to ${cls.kind})` : '';
  const namespace = labels[names.namespace];
  if (!namespace) return missing(`no ${names.namespace} label${via}`);
  // Every label that names something is a Kubernetes name before it is used (in a regex, a path).
  const at = (key: string) => `alerts[${index}].labels.${key}${where(opts.source)}`;
  checkName(namespace, 'label', at(names.namespace));
  const workloadLabel = names.workload?.label;
  for (const key of new Set([
    names.pod,
    ...WORKLOAD_LABELS,
    'horizontalpodautoscaler',
    ...(workloadLabel ? [workloadLabel] : []),
  ])) {
    const value = labels[key];
    if (value !== undefined) checkName(value, 'subdomain', at(key));
  }
  if (labels[names.container] !== undefined) checkName(labels[names.container] ?? '', 'label', at(names.container));
  const owner = ownerOf(labels, names, via);
  if (typeof owner === 'string') return missing(owner);
  const ownerLabel = workloadLabel && labels[workloadLabel] ? workloadLabel : names.pod;
  checkName(owner.name, 'subdomain', `${at(ownerLabel)} (its owner)`);
  const cluster = labels[names.cluster] ?? opts.cluster;
  if (!cluster) {
    throw new InputError(
      `alerts[${index}].labels${where(opts.source)}: ${alertname} has no ${names.cluster} label and no cluster was given (--cluster)`,
    );
  }
  checkCluster(cluster, labels[names.cluster] ? at(names.cluster) : '--cluster');
  const resolved = alert.status === 'resolved';
  const ends = alert.endsAt && !alert.endsAt.startsWith('0001-') ? alert.endsAt : undefined;
  const observedAt = resolved && ends ? ends : alert.startsAt;
  const container = labels[names.container];
  const pod = labels[names.pod];
  const data: Record<string, string> = {
    alertname,
    fingerprint: alert.fingerprint,
  };
  for (const [key, v] of [
    ['severity', labels.severity],
    ['reason', labels.reason],
    ['container', container],
    ['pod', pod],
  ] as const)
    if (v) data[key] = v;
  if (cls.mappedBy) data.mappedBy = `${cls.mappedBy} in .salve.yaml`;
  if (alert.generatorURL) data.generatorURL = alert.generatorURL;
  const summary = alert.annotations.description ?? alert.annotations.summary ?? alertname;
  return {
    id: `alertmanager:${alert.fingerprint}:${alert.startsAt}`,
    source: 'alertmanager',
    kind: cls.kind,
    status: alert.status,
    target: { cluster, namespace, ...owner },
    ...(container ? { container } : {}),
    ...(pod ? { pod } : {}),
    observedAt,
    labels: { ...labels },
    evidence: [{ source: `alert ${alertname}`, summary, at: observedAt, data }],
  };
}

/** Validates a v4 webhook payload and turns each recognised alert into a Signal. */
export function intakeAlertmanager(payload: unknown, opts: IntakeOptions = {}): IntakeResult {
  const version = (payload as { version?: unknown } | null)?.version;
  if (typeof payload === 'object' && payload !== null && version !== undefined && version !== '4') {
    throw new InputError(
      `version${where(opts.source)}: Alertmanager webhook version ${JSON.stringify(version)} is not supported (expected "4")`,
      { code: 'unsupported-version' },
    );
  }
  const parsed = AlertmanagerPayload.safeParse(payload);
  if (!parsed.success) {
    throw new InputError(`malformed Alertmanager payload${where(opts.source)}: ${formatIssues(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  const now = opts.now ?? new Date();
  const result: IntakeResult = { signals: [], skipped: [] };
  const truncated = parsed.data.truncatedAlerts;
  if (truncated > 0) {
    result.skipped.push({
      alertname: '(truncated)',
      code: 'truncated',
      reason: `Alertmanager left out ${counted(truncated, 'alert')} (max_alerts)`,
    });
  }
  parsed.data.alerts.forEach((raw, i) => {
    const alert = capAlert(raw);
    const out = toSignal(alert, i, opts, now);
    if ('code' in out) result.skipped.push({ alertname: alert.labels.alertname ?? '(unnamed)', ...out });
    else result.signals.push(capSignal(out));
  });
  return result;
}

/** The signals of a v4 webhook payload; see `intakeAlertmanager` for what was skipped. */
export function parseAlertmanager(payload: unknown, opts: IntakeOptions = {}): Signal[] {
  return intakeAlertmanager(payload, opts).signals;
}
