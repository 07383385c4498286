/**
 * Per (service, minute) observations of a Nezha day, computed online in time order with the same
 * detectors live perception uses: every metric column through the incident's metric scorer (under a day of
 * data it has no daily baseline and uses its flat one), the minute's anomaly
 * the highest over columns; each minute's log lines through a Drain miner and log-novelty that
 * learn as they go, seeded with the day's fault-free reference minute where there is one.
 * Labels: 1 inside a fault on that service, 0 when no fault of any service is within the
 * tolerance, and no sample otherwise (a neighbour's fault or the label's uncertain edge).
 */
import { logNovelty } from '../../detectors/log-novelty/index.ts';
import { DEFAULT_DRAIN, DrainMiner } from '../../logs/drain.ts';
import { MetricScorer } from '../../perception/metric-features.ts';
import {
  FAULT_SECONDS,
  type Fault,
  type LogLine,
  METRIC_COLUMNS,
  type ServiceMetrics,
  TOLERANCE_SECONDS,
} from './data.ts';

export interface Minute {
  date: string;
  service: string;
  /** Start of the minute, unix seconds. */
  t: number;
  metric: number | null;
  log: { novelShare: number; distance: number; lines: number } | null;
  /** 1 fault on this service, 0 fault-free, null ambiguous. */
  label: number | null;
  fault: Fault | null;
}

/**
 * Latencies and byte rates are heavy-tailed: they are scored as their logarithm (PromQL's ln()),
 * so a tenfold rise stands out whatever the level, and a noisy 0.4 s series does not hide a 5 ms
 * one going to 0.75 s. Values below the floor (1 ms, 1 byte) count as the floor (no −∞ for a 0).
 */
function scaled(column: string): (v: number) => number {
  if (/Latency/.test(column)) return (v) => Math.log(Math.max(v, 0.001));
  if (/Bytes/.test(column)) return (v) => Math.log(Math.max(v, 1));
  return (v) => v;
}

function metricScores(m: ServiceMetrics): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of METRIC_COLUMNS) {
    const d = new MetricScorer();
    const values = m.columns[name] as number[];
    const scale = scaled(name);
    m.times.forEach((t, i) => {
      const v = scale(values[i] as number);
      if (!Number.isFinite(v)) return;
      const s = d.update(t, v).score;
      const minute = Math.floor(t / 60) * 60;
      out.set(minute, Math.max(out.get(minute) ?? 0, s));
    });
  }
  return out;
}

function logScores(lines: readonly LogLine[], reference: readonly LogLine[]): Map<number, Minute['log']> {
  const miner = new DrainMiner(DEFAULT_DRAIN);
  const detector = logNovelty.create({ learn: true });
  const counts = (batch: readonly LogLine[], learn: boolean) => {
    const c: Record<string, number> = {};
    for (const { line } of batch) {
      const id = learn ? miner.add(line).id : (miner.match(line)?.id ?? miner.add(line).id);
      c[id] = (c[id] ?? 0) + 1;
    }
    return c;
  };
  if (reference.length > 0) detector.learn({ t: 0, counts: counts(reference, true) });
  const byMinute = new Map<number, LogLine[]>();
  for (const l of lines) {
    const m = Math.floor(l.t / 60) * 60;
    const list = byMinute.get(m);
    if (list) list.push(l);
    else byMinute.set(m, [l]);
  }
  const out = new Map<number, Minute['log']>();
  for (const m of [...byMinute.keys()].sort((a, b) => a - b)) {
    const batch = { t: m, counts: counts(byMinute.get(m) as LogLine[], false) };
    const f = detector.features(batch);
    detector.learn(batch);
    out.set(m, { novelShare: f.novelShare, distance: f.distance, lines: f.lines });
  }
  return out;
}

export function labelOf(
  service: string,
  t: number,
  faults: readonly Fault[],
): { label: number | null; fault: Fault | null } {
  const own = faults.find((f) => f.service === service && t + 60 > f.inject && t < f.inject + FAULT_SECONDS);
  if (own) return { label: 1, fault: own };
  const near = faults.some(
    (f) => t + 60 > f.inject - TOLERANCE_SECONDS && t < f.inject + FAULT_SECONDS + TOLERANCE_SECONDS,
  );
  return { label: near ? null : 0, fault: null };
}

export function dayMinutes(
  date: string,
  faults: readonly Fault[],
  metrics: ReadonlyMap<string, ServiceMetrics>,
  logs: ReadonlyMap<string, LogLine[]>,
  reference: ReadonlyMap<string, LogLine[]>,
): Minute[] {
  const dayFaults = faults.filter((f) => f.date === date);
  const services = [...new Set(dayFaults.map((f) => f.service))].sort();
  const out: Minute[] = [];
  for (const service of services) {
    const m = metrics.get(service);
    if (!m) continue;
    const met = metricScores(m);
    const log = logScores(logs.get(service) ?? [], reference.get(service) ?? []);
    const minutes = [...new Set([...met.keys(), ...log.keys()])].sort((a, b) => a - b);
    for (const t of minutes) {
      const { label, fault } = labelOf(service, t, dayFaults);
      out.push({ date, service, t, metric: met.get(t) ?? null, log: log.get(t) ?? null, label, fault });
    }
  }
  return out;
}
