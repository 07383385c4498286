/**
 * The Nezha development half (see ../shared/data/nezha/SOURCE.md): fault list, per-pod metric
 * files and Train Ticket log files, keyed by service (pod names are not stable across days).
 * Times are taken from `inject_time` and each row's own time fields, never from file names.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../../../model/errors.ts';

export interface Fault {
  system: string;
  date: string;
  id: string;
  /** `inject_time` read as UTC, unix seconds. */
  inject: number;
  service: string;
  type: string;
}

export const FAULT_SECONDS = 180;
export const TOLERANCE_SECONDS = 60;

/**
 * The median latency of calls into the service as its callers measure them (the slowest caller
 * each minute): OB's source_50.csv, one column per `<caller>_<callee>` edge. A delay on the
 * service's network shows here and not in its own server latency. In a cluster this is the
 * service mesh's request duration reported by the source side.
 */
export const CALLER_LATENCY = 'CallerLatencyP50(s)';

export const METRIC_COLUMNS = [
  'CpuUsageRate(%)',
  'MemoryUsageRate(%)',
  'NetworkReceiveBytes',
  'NetworkTransmitBytes',
  'PodServerLatencyP90(s)',
  'PodServerLatencyP99(s)',
  'PodClientLatencyP90(s)',
  'PodWorkload(Ops)',
  CALLER_LATENCY,
] as const;

export interface ServiceMetrics {
  times: number[];
  columns: Record<string, number[]>;
}

export interface LogLine {
  t: number;
  line: string;
}

const serviceOf = (pod: string) => pod.split('-').slice(0, -2).join('-');
const utc = (s: string) => Date.parse(`${s.slice(0, 19).replace(' ', 'T')}Z`) / 1000;

export async function loadFaults(root: string): Promise<Fault[]> {
  const lines = (await readFile(join(root, 'faults.csv'), 'utf8')).split('\n').filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(',');
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new InputError(`faults.csv: no column ${name}`);
    return i;
  };
  const [sys, date, id, time, service, type] = [
    'system',
    'date',
    'fault_id',
    'inject_time_utc',
    'service',
    'fault_type',
  ].map(col) as [number, number, number, number, number, number];
  return lines.slice(1).map((l) => {
    const c = l.split(',');
    return {
      system: c[sys] as string,
      date: c[date] as string,
      id: c[id] as string,
      inject: utc(c[time] as string),
      service: c[service] as string,
      type: c[type] as string,
    };
  });
}

const gz = async (path: string) => gunzipSync(await readFile(path)).toString('utf8');

export async function loadMetrics(root: string, date: string): Promise<Map<string, ServiceMetrics>> {
  const dir = join(root, 'rca_data', date, 'metric');
  const out = new Map<string, ServiceMetrics>();
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('_metric.csv.gz')).sort()) {
    const lines = (await gz(join(dir, file))).split('\n').filter((l) => l.trim() !== '');
    const header = (lines[0] ?? '').split(',');
    const idx = METRIC_COLUMNS.map((c) => header.indexOf(c));
    const m: ServiceMetrics = { times: [], columns: Object.fromEntries(METRIC_COLUMNS.map((c) => [c, []])) };
    for (const l of lines.slice(1)) {
      const c = l.split(',');
      m.times.push(utc(c[0] as string));
      METRIC_COLUMNS.forEach((name, k) => {
        (m.columns[name] as number[]).push(idx[k] === -1 ? Number.NaN : Number(c[idx[k] as number]));
      });
    }
    out.set(serviceOf(file.replace('_metric.csv.gz', '')), m);
  }
  await addCallerLatency(dir, out);
  return out;
}

/** Fills each service's CALLER_LATENCY column from source_50.csv, matched to the nearest minute (NaN without one). */
async function addCallerLatency(dir: string, metrics: Map<string, ServiceMetrics>): Promise<void> {
  let text: string;
  try {
    text = await gz(join(dir, 'source_50.csv.gz'));
  } catch {
    return;
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(',');
  const ts = header.indexOf('timestamp');
  if (ts < 0) throw new InputError(`${dir}/source_50.csv.gz: no timestamp column`);
  const byMinute = new Map<number, string[]>();
  for (const l of lines.slice(1)) {
    const c = l.split(',');
    byMinute.set(Math.round(Number(c[ts]) / 60), c);
  }
  for (const [service, m] of metrics) {
    const edges = header.flatMap((h, i) => (h.endsWith(`_${service}`) ? [i] : []));
    m.columns[CALLER_LATENCY] = m.times.map((t) => {
      const row = byMinute.get(Math.round(t / 60));
      let v = Number.NaN;
      for (const i of edges) {
        const x = row?.[i];
        if (x !== undefined && x !== '' && Number.isFinite(Number(x)))
          v = Number.isNaN(v) ? Number(x) : Math.max(v, Number(x));
      }
      return v;
    });
  }
}

const ROW = /^([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),"(.*)"$/;

/** One log file's application lines per service, deduplicated on (TimeUnixNano, pod, log). */
export function parseLogCsv(text: string, seen: Set<string>, into: Map<string, LogLine[]>): void {
  for (const row of text.split('\n').slice(1)) {
    const m = ROW.exec(row.trimEnd());
    if (!m) continue;
    const key = `${m[2]}|${m[4]}|${m[8]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let line: string;
    try {
      line = (JSON.parse((m[8] as string).replace(/""/g, '"')) as { log: string }).log.replace(/\n$/, '');
    } catch {
      continue;
    }
    const ts = m[1] as string;
    const t = Date.parse(/Z$/.test(ts) ? ts : `${ts}Z`) / 1000;
    if (!Number.isFinite(t)) continue;
    const service = serviceOf(m[4] as string);
    const list = into.get(service);
    if (list) list.push({ t, line });
    else into.set(service, [{ t, line }]);
  }
}

export async function loadLogs(root: string, date: string): Promise<Map<string, LogLine[]>> {
  const dir = join(root, 'rca_data', date, 'log');
  const out = new Map<string, LogLine[]>();
  const seen = new Set<string>();
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.csv.gz')).sort())
    parseLogCsv(await gz(join(dir, file)), seen, out);
  for (const lines of out.values()) lines.sort((a, b) => a.t - b.t);
  return out;
}

/** The fault-free reference minute Nezha uses for a day, when the data has one. */
export async function loadReferenceLogs(root: string, date: string): Promise<Map<string, LogLine[]>> {
  const out = new Map<string, LogLine[]>();
  const dir = join(root, 'construct_data', date, 'log');
  let files: string[] = [];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.csv.gz'));
  } catch {
    return out;
  }
  const seen = new Set<string>();
  for (const file of files.sort()) parseLogCsv(await gz(join(dir, file)), seen, out);
  return out;
}
