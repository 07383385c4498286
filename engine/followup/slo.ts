/**
 * The SLO queries of `.salve.yaml`, read from Prometheus over the window before the remediation and
 * the window after the sync, each reduced to its mean. `{{args.service}}` is the workload's name.
 */
import type { Slo } from '../config/schema.ts';
import { type PrometheusClientOptions, queryRange } from '../intake/prometheus.ts';
import type { SloView } from './types.ts';

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export interface SloWindows {
  before: { start: Date; end: Date };
  after: { start: Date; end: Date };
}

function mean(points: Array<[number, number]>): number | null {
  if (points.length === 0) return null;
  // Six significant digits: summation order must not change what the PR says.
  return Number((points.reduce((a, [, v]) => a + v, 0) / points.length).toPrecision(6));
}

function fill(query: string, service: string): string {
  if (!NAME.test(service)) throw new Error(`workload name ${JSON.stringify(service)} is not a Kubernetes name`);
  return query.replaceAll('{{args.service}}', service);
}

async function windowMean(
  name: string,
  query: string,
  w: { start: Date; end: Date },
  prom: PrometheusClientOptions,
): Promise<number | null> {
  const start = Math.floor(w.start.getTime() / 1000);
  const end = Math.max(start + 1, Math.floor(w.end.getTime() / 1000));
  const stepSeconds = Math.max(1, Math.ceil((end - start) / 120));
  const series = await queryRange({ name, query, start, end, stepSeconds }, prom);
  return mean(series.flatMap((s) => s.points));
}

/** Each SLO's two metrics, before and after; a query that fails is a gap, not an outcome. */
export async function readSlos(
  slos: Slo[],
  service: string,
  windows: SloWindows,
  promFor: (slo: Slo) => PrometheusClientOptions,
  gaps: string[],
): Promise<SloView[]> {
  const views: SloView[] = [];
  for (const slo of slos) {
    const metrics = [
      { metric: 'error-rate' as const, query: slo.errorRate.query, limit: slo.errorRate.max },
      { metric: 'latency' as const, query: slo.latency.query, limit: slo.latency.maxSeconds },
    ];
    for (const m of metrics) {
      try {
        const q = fill(m.query, service);
        const name = `${slo.name}-${m.metric}`;
        const before = await windowMean(name, q, windows.before, promFor(slo));
        const after = await windowMean(name, q, windows.after, promFor(slo));
        views.push({ slo: slo.name, metric: m.metric, limit: m.limit, before, after });
      } catch (err) {
        gaps.push(`SLO ${slo.name} ${m.metric}: ${(err as Error).message}`);
      }
    }
  }
  return views;
}
