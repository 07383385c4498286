/**
 * Coalescing: many signals about one top-level owner become one Incident.
 *
 * - Signals are grouped by the fingerprint of their target (cluster/namespace/kind/name).
 * - Deduplicated by id (the newest observation of an id wins); a firing signal whose id also
 *   arrived resolved is resolved. Resolved signals never create an incident.
 * - `occurrences` counts every distinct firing signal; `signals` keeps the newest `sampleSize`
 *   (default 20), oldest first.
 * - With `maxAgeMs`, firing signals observed before `now - maxAgeMs` are ignored as stale.
 * - Output is sorted by fingerprint.
 */
import type { Incident, Signal, Target } from '../model/index.ts';
import { fingerprint } from './fingerprint.ts';
import type { Telemetry } from './perception/telemetry.ts';
import { scoreRisk } from './risk.ts';

export interface CoalesceOptions {
  now: Date;
  /** How many signals an incident keeps as its sample (all are counted). */
  sampleSize?: number;
  /** Ignore firing signals older than this; unset keeps everything. */
  maxAgeMs?: number;
  /** Metric windows and logs for a target, when there are any. */
  telemetry?: (target: Target) => Telemetry | undefined;
}

export const DEFAULT_SAMPLE_SIZE = 20;

const byTime = (a: Signal, b: Signal) =>
  a.observedAt < b.observedAt ? -1 : a.observedAt > b.observedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

function firingSignals(signals: readonly Signal[], opts: CoalesceOptions): Signal[] {
  const resolved = new Set(signals.filter((s) => s.status === 'resolved').map((s) => s.id));
  const oldest = opts.maxAgeMs === undefined ? null : new Date(opts.now.getTime() - opts.maxAgeMs).toISOString();
  const byId = new Map<string, Signal>();
  for (const s of signals) {
    if (s.status !== 'firing' || resolved.has(s.id)) continue;
    if (oldest !== null && new Date(s.observedAt).toISOString() < oldest) continue;
    const seen = byId.get(s.id);
    if (!seen || byTime(seen, s) < 0) byId.set(s.id, s);
  }
  return [...byId.values()];
}

function toIncident(fp: string, group: Signal[], sampleSize: number, telemetry?: Telemetry): Incident {
  const sorted = [...group].sort(byTime);
  const first = sorted[0] as Signal;
  const last = sorted[sorted.length - 1] as Signal;
  const containers = new Set(sorted.flatMap((s) => (s.container ? [s.container] : [])));
  return {
    fingerprint: fp,
    target: { ...first.target },
    kinds: [...new Set(sorted.map((s) => s.kind))].sort(),
    containers: [...containers].sort(),
    signals: sorted.slice(-sampleSize),
    occurrences: sorted.length,
    firstSeen: first.observedAt,
    lastSeen: last.observedAt,
    risk: scoreRisk(sorted, telemetry),
  };
}

/** Groups firing signals into incidents, one per top-level owner, sorted by fingerprint. */
export function coalesce(signals: readonly Signal[], opts: CoalesceOptions): Incident[] {
  const groups = new Map<string, Signal[]>();
  for (const s of firingSignals(signals, opts)) {
    const fp = fingerprint(s.target);
    const group = groups.get(fp);
    if (group) group.push(s);
    else groups.set(fp, [s]);
  }
  const sampleSize = Math.max(1, opts.sampleSize ?? DEFAULT_SAMPLE_SIZE);
  return [...groups.keys()].sort().map((fp) => {
    const group = groups.get(fp) as Signal[];
    return toIncident(fp, group, sampleSize, opts.telemetry?.((group[0] as Signal).target));
  });
}
