/**
 * How alerts become inbox entries: keyed by their top-level owner (as perception fingerprints
 * incidents: cluster/namespace/kind/name) and by their identity (Alertmanager's fingerprint and
 * start, perception's signal id), so a resent or updated alert replaces its older copy and a storm
 * about one workload stays one owner. Also turns a snapshot back into one v4 payload.
 */
import { hash } from 'node:crypto';
import type { AlertmanagerAlert, AlertmanagerPayload } from '../intake/alertmanager-schema.ts';
import { ownerFromPodName } from '../intake/owner.ts';
import type { InboxEntry } from './types.ts';

const WORKLOADS: Array<[string, string]> = [
  ['deployment', 'Deployment'],
  ['statefulset', 'StatefulSet'],
  ['daemonset', 'DaemonSet'],
  ['horizontalpodautoscaler', 'HorizontalPodAutoscaler'],
];

/** `cluster/namespace/Kind/name` of the workload an alert is about (its alertname when it names none). */
export function ownerKey(alert: AlertmanagerAlert): string {
  const l = alert.labels;
  const scope = `${l.cluster ?? ''}/${l.namespace ?? ''}`;
  if (l.pod) {
    const o = ownerFromPodName(l.pod);
    return `${scope}/${o.kind}/${o.name}`;
  }
  for (const [label, kind] of WORKLOADS) if (l[label]) return `${scope}/${kind}/${l[label]}`;
  return `${scope}/alert/${l.alertname ?? ''}`;
}

export function alertId(alert: AlertmanagerAlert): string {
  return `${alert.fingerprint}:${alert.startsAt}`;
}

/** What tells one copy of an alert from an updated one (the inbox consumes only the copy it read). */
export function versionOf(alert: AlertmanagerAlert, json = JSON.stringify(alert)): string {
  return hash('sha256', json, 'hex').slice(0, 32);
}

export function toEntry(alert: AlertmanagerAlert): InboxEntry {
  return toEntryJson(alert).entry;
}

/**
 * The entry of an alert and its JSON text (`JSON.stringify(entry)`, byte for byte): the alert is
 * serialised once, for its version and for the journal.
 */
export function toEntryJson(alert: AlertmanagerAlert): { entry: InboxEntry; json: string } {
  const alertJson = JSON.stringify(alert);
  const entry: InboxEntry = { owner: ownerKey(alert), id: alertId(alert), alert, version: versionOf(alert, alertJson) };
  const json = `{"owner":${JSON.stringify(entry.owner)},"id":${JSON.stringify(entry.id)},"alert":${alertJson},"version":"${entry.version}"}`;
  return { entry, json };
}

/** A v4 payload with no alert: a run asked for by the cluster intake (its signals come from the feed). */
export function emptyPayload(repo: string): AlertmanagerPayload {
  return {
    version: '4',
    groupKey: `salve-inbox:${repo}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'salve',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: '',
    alerts: [],
  };
}

/** One v4 payload holding every waiting alert, so perception coalesces them in a single pass. */
export function payloadOf(repo: string, entries: readonly InboxEntry[]): AlertmanagerPayload | null {
  if (entries.length === 0) return null;
  const alerts = entries.map((e) => e.alert);
  return {
    version: '4',
    groupKey: `salve-inbox:${repo}`,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: 'salve',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: '',
    alerts,
  };
}
