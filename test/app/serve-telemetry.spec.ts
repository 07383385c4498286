/**
 * OpenTelemetry from a real `bin/salve serve` process: the standard OTEL_* variables point its
 * OTLP/HTTP exporter (http/json) at a receiver in this test on 127.0.0.1. One alert in, one PR on
 * the simulated GitHub, then SIGTERM (which flushes): the receiver must hold one span per pipeline
 * stage, all in the trace the intake started, with the fingerprint, repository and action, the
 * publish span naming the PR; and the metrics under their Prometheus names.
 */

import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDemoWorld, type DemoWorld, EXAMPLE_SIGNALS } from '../../engine/demo/setup.ts';
import { type FakeGitHub, startFakeGitHub } from './fake-github.ts';
import { OWNER, REPO } from './github-replies.ts';
import { postAlert, serveEnv, startServe, stopAll, whole } from './serve-process.ts';
import { removeStateDirs, stateDir } from './state-dir.ts';
import { appKey } from './world.ts';

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: Array<{ key: string; value: OtlpValue }>;
}

interface Receiver {
  url: string;
  /** Request bodies per path (/v1/traces, /v1/metrics), parsed as JSON. */
  bodies: Map<string, unknown[]>;
  contentTypes: Set<string>;
  close(): Promise<void>;
}

function startReceiver(): Promise<Receiver> {
  const bodies = new Map<string, unknown[]>();
  const contentTypes = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      contentTypes.add(String(req.headers['content-type']));
      const path = (req.url ?? '').split('?')[0] as string;
      bodies.set(path, [...(bodies.get(path) ?? []), JSON.parse(Buffer.concat(chunks).toString('utf8'))]);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        bodies,
        contentTypes,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

const spansOf = (r: Receiver): OtlpSpan[] =>
  (r.bodies.get('/v1/traces') ?? []).flatMap((b) =>
    ((b as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: OtlpSpan[] }> }> }).resourceSpans ?? []).flatMap(
      (rs) => (rs.scopeSpans ?? []).flatMap((ss) => ss.spans ?? []),
    ),
  );
const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes?.find((a) => a.key === key)?.value;
  return v?.stringValue ?? v?.intValue ?? v?.boolValue;
};
const metricNames = (r: Receiver): string[] =>
  (r.bodies.get('/v1/metrics') ?? []).flatMap((b) =>
    (
      (b as { resourceMetrics?: Array<{ scopeMetrics?: Array<{ metrics?: Array<{ name: string }> }> }> })
        .resourceMetrics ?? []
    ).flatMap((rm) => (rm.scopeMetrics ?? []).flatMap((sm) => (sm.metrics ?? []).map((m) => m.name))),
  );

let world: DemoWorld;
let privateKey: string;
let alert: string;
let fake: FakeGitHub | null = null;
let receiver: Receiver | null = null;

beforeAll(async () => {
  world = await createDemoWorld();
  privateKey = appKey();
  alert = await readFile(join(EXAMPLE_SIGNALS, 'hpa-maxed-checkout-staging.json'), 'utf8');
});
afterAll(async () => {
  await world?.close();
});
afterEach(async () => {
  await stopAll();
  await fake?.close();
  await receiver?.close();
  fake = null;
  receiver = null;
  removeStateDirs();
});

async function onePr(extra: Record<string, string>): Promise<void> {
  fake = await startFakeGitHub({ baseCommit: world.head });
  const serve = await startServe(serveEnv(fake, world, privateKey, { SALVE_STATE_DIR: stateDir(), ...extra }));
  expect(await postAlert(serve, alert)).toBe(202);
  await expect.poll(() => whole(fake as FakeGitHub), { timeout: 120_000, interval: 250 }).toBe(true);
  expect(fake.pulls, serve.log()).toHaveLength(1);
  // SIGTERM: the server drains, then the SDK flushes what it batched before the process exits.
  expect(await serve.kill('SIGTERM'), serve.log()).toBe(0);
}

describe('app: OpenTelemetry over OTLP/HTTP from a real salve serve', () => {
  it(
    'exports one trace from the intake to the PR, a span per stage, and the metrics',
    { timeout: 180_000 },
    async () => {
      receiver = await startReceiver();
      await onePr({
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_LOGS_EXPORTER: 'none',
        OTEL_SERVICE_NAME: 'salve-test',
      });
      expect([...receiver.contentTypes].every((t) => t.startsWith('application/json'))).toBe(true);
      const spans = spansOf(receiver);
      const byName = (n: string) => spans.filter((s) => s.name === n);
      const [intake] = byName('salve.intake');
      expect(intake).toBeDefined();
      const trace = (intake as OtlpSpan).traceId;
      expect(trace).toMatch(/^[0-9a-f]{32}$/);
      for (const stage of ['intake', 'perceive', 'decide', 'render', 'check', 'govern', 'publish']) {
        const found = byName(`salve.${stage}`);
        expect(found.length, `a salve.${stage} span`).toBeGreaterThan(0);
        expect(found.every((s) => s.traceId === trace && attr(s, 'salve.stage') === stage)).toBe(true);
      }
      const repo = `${OWNER}/${REPO}`;
      expect(attr(intake as OtlpSpan, 'salve.repo')).toBe(repo);
      // The job continues the intake's trace across the queue (the store carries W3C trace context).
      const job = byName('salve.job')[0] as OtlpSpan;
      expect(job.parentSpanId).toBe((intake as OtlpSpan).spanId);
      const decide = byName('salve.decide')[0] as OtlpSpan;
      const publish = byName('salve.publish')[0] as OtlpSpan;
      const pr = (fake as FakeGitHub).pulls[0];
      expect(attr(decide, 'salve.action')).toBe('raise-hpa-max-replicas');
      expect(attr(publish, 'salve.action')).toBe('raise-hpa-max-replicas');
      expect(attr(publish, 'salve.fingerprint')).toBe(attr(decide, 'salve.fingerprint'));
      expect(String(attr(publish, 'salve.fingerprint'))).toMatch(/^[0-9a-f]{8,}$/);
      expect(attr(publish, 'salve.repo')).toBe(repo);
      expect(attr(publish, 'salve.publish')).toBe('opened');
      expect(String(attr(publish, 'salve.pull_request'))).toMatch(new RegExp(`/pull/${pr?.number}$`));
      // render, check and govern hang under the decide span of their incident.
      for (const stage of ['render', 'check', 'govern'])
        expect(byName(`salve.${stage}`).every((s) => s.parentSpanId === decide.spanId)).toBe(true);

      const names = metricNames(receiver);
      for (const name of [
        'salve_signals_received_total',
        'salve_jobs_total',
        'salve_stage_duration_seconds',
        'salve_job_duration_seconds',
        'salve_pull_requests_total',
      ])
        expect(names).toContain(name);
    },
  );
});
