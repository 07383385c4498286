import { SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { wantsTelemetry } from './otel.ts';
import { createStages, untraced } from './stages.ts';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('test');
afterEach(() => exporter.reset());

const byName = (name: string) => exporter.getFinishedSpans().find((s) => s.name === name) as ReadableSpan;
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

describe('telemetry/stages', () => {
  it('nests stage spans under their parent, with the stage and the attributes given', async () => {
    const times: string[] = [];
    const stages = createStages(tracer, (stage) => times.push(stage));
    const out = await stages.span('salve.job', { 'salve.repo': 'acme/config' }, (job) =>
      job.run('decide', { 'salve.fingerprint': 'f00d' }, async (decide) => {
        await decide.run('render', { 'salve.action': 'raise-memory-limit' }, async () => {});
        decide.annotate({ 'salve.action': 'raise-memory-limit' });
        return 7;
      }),
    );
    expect(out).toBe(7);
    const job = byName('salve.job');
    const decide = byName('salve.decide');
    const render = byName('salve.render');
    expect(parentOf(decide)).toBe(job.spanContext().spanId);
    expect(parentOf(render)).toBe(decide.spanContext().spanId);
    expect(new Set([job, decide, render].map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(decide.attributes).toEqual({
      'salve.stage': 'decide',
      'salve.fingerprint': 'f00d',
      'salve.action': 'raise-memory-limit',
    });
    expect(job.attributes['salve.stage']).toBeUndefined();
    // Stages are timed (for the latency histogram); a plain span is not a stage.
    expect(times).toEqual(['render', 'decide']);
  });

  it('carries the trace across a queue as W3C trace context', async () => {
    const stages = createStages(tracer);
    const carrier = await stages.run('intake', {}, async (intake) => intake.carrier());
    expect(carrier.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const resumed = createStages(tracer).from(carrier);
    await resumed.span('salve.job', {}, async (job) => {
      expect(job.traceId()).toBe(byName('salve.intake').spanContext().traceId);
    });
    expect(parentOf(byName('salve.job'))).toBe(byName('salve.intake').spanContext().spanId);
  });

  it('marks a failed stage as an error and rethrows', async () => {
    const stages = createStages(tracer);
    await expect(
      stages.run('publish', {}, async () => {
        throw new Error('GitHub said 502');
      }),
    ).rejects.toThrow('GitHub said 502');
    const span = byName('salve.publish');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.events.map((e) => e.name)).toContain('exception');
  });

  it('untraced stages run the work and record nothing', async () => {
    expect(await untraced.run('check', {}, async () => 'ok')).toBe('ok');
    expect(untraced.carrier()).toEqual({});
    expect(untraced.traceId()).toBeUndefined();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});

describe('telemetry/otel', () => {
  it('is off by default and follows the standard OTEL_* variables', () => {
    expect(wantsTelemetry({})).toBe(false);
    expect(wantsTelemetry({ OTEL_SERVICE_NAME: 'salve' })).toBe(false);
    expect(wantsTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(true);
    expect(wantsTelemetry({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).toBe(true);
    expect(wantsTelemetry({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(wantsTelemetry({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x' })).toBe(false);
    expect(wantsTelemetry({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBe(false);
  });
});
