/**
 * Perception's metric windows for one workload: `.salve.yaml` `perception.queries` (and the SLO
 * queries) expanded for the target, each run as a bounded range query over the look-back window.
 * A query that fails is reported and skipped; the others still count.
 */
import ms from 'ms';
import type { PerceptionConfig, PerceptionQuery, Slo } from '../config/schema.ts';
import { ConfigError, InputError, type Target } from '../model/index.ts';
import type { MetricWindow, Telemetry } from '../perceive/perception/telemetry.ts';
import { type PrometheusClientOptions, queryRange } from './prometheus.ts';

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;
const PLACEHOLDER = /\{\{\s*([a-zA-Z.]+)\s*\}\}/g;

/** Fills a PromQL template with the target's names, each checked to be a plain Kubernetes name. */
export function expandQuery(template: string, target: Target, where: string): string {
  const values: Record<string, string> = {
    cluster: target.cluster,
    namespace: target.namespace,
    kind: target.kind,
    name: target.name,
    'args.service': target.name,
  };
  for (const [k, v] of Object.entries(values))
    if (!(k === 'kind' ? KIND : NAME).test(v) || v.length > 253)
      throw new InputError(`${where}: target ${k} ${JSON.stringify(v.slice(0, 80))} is not a Kubernetes name`);
  return template.replace(PLACEHOLDER, (_m, key: string) => {
    const v = values[key];
    if (v === undefined) throw new ConfigError(`${where}: unknown placeholder {{${key}}}`);
    return v;
  });
}

function seconds(text: string, field: string): number {
  const v = ms(text as ms.StringValue);
  if (typeof v !== 'number' || !(v > 0))
    throw new ConfigError(`.salve.yaml perception.${field}: not a duration: ${text}`);
  return Math.floor(v / 1000);
}

export function perceptionQueries(config: PerceptionConfig, slos: readonly Slo[]): PerceptionQuery[] {
  const fromSlos = config.includeSlos
    ? slos.flatMap((s) => [
        { name: `${s.name}-error-rate`, query: s.errorRate.query },
        { name: `${s.name}-latency`, query: s.latency.query },
      ])
    : [];
  return [...config.queries, ...fromSlos];
}

export interface CollectOptions {
  config: PerceptionConfig;
  slos: readonly Slo[];
  client: PrometheusClientOptions;
  now: Date;
  /** Called for each query that failed (the others still count). */
  onError?: (query: string, err: unknown) => void;
}

export async function collectMetricWindows(target: Target, opts: CollectOptions): Promise<Telemetry> {
  const end = Math.floor(opts.now.getTime() / 1000);
  const step = seconds(opts.config.step, 'step');
  const start = end - seconds(opts.config.lookback, 'lookback');
  const metrics: MetricWindow[] = [];
  for (const q of perceptionQueries(opts.config, opts.slos)) {
    try {
      const query = expandQuery(q.query, target, `perception query ${q.name}`);
      const windows = await queryRange({ name: q.name, query, start, end, stepSeconds: step }, opts.client);
      for (const w of windows)
        if (w.points.length > 0) metrics.push(q.periodSeconds ? { ...w, periodSeconds: q.periodSeconds } : w);
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      opts.onError?.(q.name, err);
    }
  }
  return { metrics, logs: [] };
}
