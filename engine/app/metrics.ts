/**
 * Counters, gauges and histograms in the Prometheus text format; one registry per server, no
 * globals. With an OpenTelemetry meter, every update is also recorded there under the same name
 * and labels (exported by OTLP when telemetry is on). Labels take known values only.
 */
import type { Attributes, Counter, Gauge, Histogram, Meter } from '@opentelemetry/api';

type Labels = Record<string, string>;

/** Seconds: from a fast in-process step to a slow run against GitHub. */
const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

interface Family {
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  values: Map<string, number>;
}

const DEFINITIONS: Record<string, Omit<Family, 'values'>> = {
  salve_signals_received_total: { help: 'Signals received at the intake, by source.', type: 'counter' },
  salve_alerts_skipped_total: {
    help: 'Alerts intake left out, by reason (unrecognised, not-actionable, missing-label, truncated).',
    type: 'counter',
  },
  salve_incidents_total: {
    help: 'Incidents planned, by outcome (publish, observe, denied, drift, none).',
    type: 'counter',
  },
  salve_drift_findings_total: {
    help: 'Incidents where the cluster runs an image git does not render (no pull request), by namespace.',
    type: 'counter',
  },
  salve_pull_requests_total: {
    help: 'Pull request events, by event (opened, updated, unchanged, merged, closed, frozen, held, superseded).',
    type: 'counter',
  },
  salve_decisions_total: { help: 'Policy decisions, by mode.', type: 'counter' },
  salve_errors_total: { help: 'Errors, by stage.', type: 'counter' },
  salve_webhooks_total: {
    help: 'GitHub webhook deliveries, by event (known events, else other) and result.',
    type: 'counter',
  },
  salve_pending_remediations: { help: 'Remediations held back by caps, to be retried.', type: 'gauge' },
  salve_queue_depth: { help: 'Alerts waiting in the per-repository inboxes.', type: 'gauge' },
  salve_queue_capped_alerts_total: {
    help: 'Alerts not kept because their workload already had the most alerts a queue entry keeps.',
    type: 'counter',
  },
  salve_jobs: { help: 'Repository jobs, by state (waiting, active, delayed).', type: 'gauge' },
  salve_jobs_total: { help: 'Repository runs finished, by outcome (succeeded, failed).', type: 'counter' },
  salve_http_bodies_in_flight: { help: 'Request bodies being read right now (capped).', type: 'gauge' },
  salve_stage_duration_seconds: { help: 'Time spent per pipeline stage, by stage.', type: 'histogram' },
  salve_job_duration_seconds: { help: 'Time per repository run, by outcome.', type: 'histogram' },
};

export type MetricName = keyof typeof DEFINITIONS & string;

const escapeValue = (v: string) =>
  /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;

/** The series key of a label set: names sorted, values escaped (one label, the common case, needs no sort). */
function key(labels: Labels): string {
  const names = Object.keys(labels);
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]}="${escapeValue(String(labels[names[0] as string]))}"`;
  return names
    .sort()
    .map((k) => `${k}="${escapeValue(String(labels[k]))}"`)
    .join(',');
}

export class Metrics {
  private readonly families = new Map<string, Family>();
  private readonly histograms = new Map<
    string,
    { name: string; counts: number[]; sum: number; count: number; labels: Labels }
  >();
  private readonly instruments = new Map<string, Counter | Gauge | Histogram>();

  constructor(private readonly meter: Meter | null = null) {
    for (const [name, def] of Object.entries(DEFINITIONS)) this.families.set(name, { ...def, values: new Map() });
  }

  inc(name: MetricName, labels: Labels = {}, by = 1): void {
    const values = this.family(name).values;
    const k = key(labels);
    values.set(k, (values.get(k) ?? 0) + by);
    (this.instrument(name) as Counter | null)?.add(by, labels as Attributes);
  }

  set(name: MetricName, value: number, labels: Labels = {}): void {
    this.family(name).values.set(key(labels), value);
    (this.instrument(name) as Gauge | null)?.record(value, labels as Attributes);
  }

  /** One observation (seconds) into a histogram. */
  observe(name: MetricName, value: number, labels: Labels = {}): void {
    this.family(name);
    const k = `${name}{${key(labels)}}`;
    let h = this.histograms.get(k);
    if (!h) {
      h = { name, counts: BUCKETS.map(() => 0), sum: 0, count: 0, labels };
      this.histograms.set(k, h);
    }
    for (let i = 0; i < BUCKETS.length; i++) if (value <= (BUCKETS[i] as number)) h.counts[i] = (h.counts[i] ?? 0) + 1;
    h.sum += value;
    h.count++;
    (this.instrument(name) as Histogram | null)?.record(value, labels as Attributes);
  }

  private instrument(name: string): Counter | Gauge | Histogram | null {
    if (!this.meter) return null;
    let made = this.instruments.get(name);
    if (!made) {
      const def = this.family(name);
      const opts = { description: def.help, ...(def.type === 'histogram' ? { unit: 's' } : {}) };
      made =
        def.type === 'counter'
          ? this.meter.createCounter(name, opts)
          : def.type === 'gauge'
            ? this.meter.createGauge(name, opts)
            : this.meter.createHistogram(name, { ...opts, advice: { explicitBucketBoundaries: BUCKETS } });
      this.instruments.set(name, made);
    }
    return made;
  }

  get(name: MetricName, labels: Labels = {}): number {
    return this.family(name).values.get(key(labels)) ?? 0;
  }

  render(): string {
    const out: string[] = [];
    for (const [name, f] of this.families) {
      out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
      if (f.values.size === 0 && f.type === 'gauge') out.push(`${name} 0`);
      for (const [k, v] of f.values) out.push(k ? `${name}{${k}} ${v}` : `${name} ${v}`);
      if (f.type === 'histogram') out.push(...this.renderHistogram(name));
    }
    return `${out.join('\n')}\n`;
  }

  private renderHistogram(name: string): string[] {
    const out: string[] = [];
    for (const h of this.histograms.values()) {
      if (h.name !== name) continue;
      const base = key(h.labels);
      const withLe = (le: string) => `${name}_bucket{${base ? `${base},` : ''}le="${le}"}`;
      BUCKETS.forEach((b, i) => {
        out.push(`${withLe(String(b))} ${h.counts[i]}`);
      });
      out.push(`${withLe('+Inf')} ${h.count}`);
      out.push(base ? `${name}_sum{${base}} ${h.sum}` : `${name}_sum ${h.sum}`);
      out.push(base ? `${name}_count{${base}} ${h.count}` : `${name}_count ${h.count}`);
    }
    return out;
  }

  private family(name: string): Family {
    const f = this.families.get(name);
    if (!f) throw new Error(`unknown metric ${name}`);
    return f;
  }
}
