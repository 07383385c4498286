import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { authenticateIntake, signBody } from './intake-auth.ts';
import { Metrics } from './metrics.ts';
import { parseDuration } from './repo-settings.ts';

describe('app/metrics', () => {
  it('renders counters and gauges in the Prometheus text format', () => {
    const m = new Metrics();
    m.inc('salve_decisions_total', { mode: 'approve' });
    m.inc('salve_decisions_total', { mode: 'approve' });
    m.inc('salve_errors_total', { stage: 'pl"an' });
    m.set('salve_pending_remediations', 3);
    const text = m.render();
    expect(text).toContain('# TYPE salve_decisions_total counter\nsalve_decisions_total{mode="approve"} 2');
    expect(text).toContain('salve_errors_total{stage="pl\\"an"} 1');
    expect(text).toContain('# TYPE salve_pending_remediations gauge\nsalve_pending_remediations 3');
    expect(text).toContain('# TYPE salve_queue_depth gauge\nsalve_queue_depth 0');
  });

  it('renders histograms with cumulative buckets, sum and count', () => {
    const m = new Metrics();
    m.observe('salve_stage_duration_seconds', 0.2, { stage: 'render' });
    m.observe('salve_stage_duration_seconds', 3, { stage: 'render' });
    const text = m.render();
    expect(text).toContain('# TYPE salve_stage_duration_seconds histogram');
    expect(text).toContain('salve_stage_duration_seconds_bucket{stage="render",le="0.1"} 0');
    expect(text).toContain('salve_stage_duration_seconds_bucket{stage="render",le="0.25"} 1');
    expect(text).toContain('salve_stage_duration_seconds_bucket{stage="render",le="5"} 2');
    expect(text).toContain('salve_stage_duration_seconds_bucket{stage="render",le="+Inf"} 2');
    expect(text).toContain('salve_stage_duration_seconds_sum{stage="render"} 3.2');
    expect(text).toContain('salve_stage_duration_seconds_count{stage="render"} 2');
  });

  it('records every update on an OpenTelemetry meter too, under the same names and labels', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ readers: [reader] });
    const m = new Metrics(provider.getMeter('test'));
    m.inc('salve_jobs_total', { outcome: 'succeeded' });
    m.inc('salve_jobs_total', { outcome: 'succeeded' });
    m.set('salve_queue_depth', 4);
    m.observe('salve_job_duration_seconds', 1.5, { outcome: 'succeeded' });
    await reader.forceFlush();
    const metrics = exporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
    const point = (name: string) => metrics.find((x) => x.descriptor.name === name)?.dataPoints[0];
    expect(point('salve_jobs_total')?.value).toBe(2);
    expect(point('salve_jobs_total')?.attributes).toEqual({ outcome: 'succeeded' });
    expect(point('salve_queue_depth')?.value).toBe(4);
    expect((point('salve_job_duration_seconds')?.value as { sum: number }).sum).toBe(1.5);
    await provider.shutdown();
  });

  it('authenticates the intake by bearer token or body HMAC', () => {
    const secrets = { token: 'tok-0123456789abcdef', hmacSecret: 'hmac-0123456789abcdef' };
    expect(authenticateIntake(secrets, { authorization: 'Bearer tok-0123456789abcdef' }, '{}')).toBe(true);
    expect(authenticateIntake(secrets, { authorization: 'Bearer tok-0123456789abcdeX' }, '{}')).toBe(false);
    expect(authenticateIntake(secrets, { signature: signBody(secrets.hmacSecret, '{"a":1}') }, '{"a":1}')).toBe(true);
    expect(authenticateIntake(secrets, { signature: signBody(secrets.hmacSecret, '{"a":1}') }, '{"a":2}')).toBe(false);
    expect(authenticateIntake({ hmacSecret: 'x'.repeat(16) }, { authorization: 'Bearer anything' }, '')).toBe(false);
  });

  it('parses hold periods', () => {
    expect(parseDuration('1h', 'x')).toBe(3_600_000);
    expect(parseDuration('1h30m', 'x')).toBe(5_400_000);
    expect(() => parseDuration('soon', '.salve.yaml: holdPeriod')).toThrow(/holdPeriod: "soon" is not a duration/);
  });
});
