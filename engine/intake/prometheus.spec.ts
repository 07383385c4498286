import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrometheusServer, startPrometheus } from '../../test/servers/index.ts';
import { DEFAULT_PERCEPTION_QUERIES, SalveConfig } from '../config/schema.ts';
import { InputError } from '../model/index.ts';
import { prometheusTelemetry } from '../pipeline/telemetry.ts';
import { silentLogger } from '../telemetry/logger.ts';
import { queryRange } from './prometheus.ts';
import { collectMetricWindows, expandQuery } from './prometheus-telemetry.ts';

const TARGET = { cluster: 'prod', namespace: 'shop', kind: 'Deployment', name: 'checkout' };
const neverCalled: typeof fetch = () => {
  throw new Error('no request may be sent');
};

describe('intake/prometheus', () => {
  it('fills PromQL templates with the target and refuses names that are not Kubernetes names', () => {
    expect(
      expandQuery('up{namespace="{{namespace}}", pod=~"{{name}}-.*", svc="{{ args.service }}"}', TARGET, 'q'),
    ).toBe('up{namespace="shop", pod=~"checkout-.*", svc="checkout"}');
    expect(() => expandQuery('x{n="{{name}}"}', { ...TARGET, name: 'a"} or vector(1) #' }, 'q')).toThrow(
      /target name "a\\"} or vector\(1\) #" is not a Kubernetes name/,
    );
    expect(() => expandQuery('x{n="{{secret}}"}', TARGET, 'perception query q')).toThrow(
      /unknown placeholder \{\{secret\}\}/,
    );
  });

  it('defaults to working set vs limit, restarts, CPU throttling and HPA replicas', () => {
    const config = SalveConfig.parse({});
    expect(config.perception.queries.map((q) => q.name)).toEqual([
      'memory-working-set-ratio',
      'container-restarts',
      'cpu-throttling-ratio',
      'hpa-replicas-ratio',
    ]);
    expect(config.perception).toMatchObject({ lookback: '7d', step: '5m', includeSlos: true });
    for (const q of DEFAULT_PERCEPTION_QUERIES) expect(() => expandQuery(q.query, TARGET, q.name)).not.toThrow();
    expect(() => SalveConfig.parse({ perception: { queries: [{ name: 'Bad Name', query: 'up' }] } })).toThrow();
  });

  it('refuses a range, a resolution or a query past its bounds before sending anything', async () => {
    const client = { address: 'http://127.0.0.1:9', fetch: neverCalled };
    const q = { name: 'm', query: 'up', start: 0, end: 3600, stepSeconds: 60 };
    await expect(queryRange({ ...q, end: 30 * 86_400 }, client)).rejects.toThrow(/exceeds 1209600s/);
    await expect(queryRange({ ...q, stepSeconds: 0.1 }, client)).rejects.toThrow(
      /36001 points per series exceed 11000/,
    );
    await expect(queryRange({ ...q, query: 'x'.repeat(5000) }, client)).rejects.toThrow(InputError);
    await expect(queryRange({ ...q, end: 0 }, client)).rejects.toThrow(/start < end/);
  });
});

/** Two days of working set and limit for checkout's pods, every 5 minutes, as OpenMetrics text. */
function history(end: number): string {
  const lines = ['# TYPE container_memory_working_set_bytes gauge', '# TYPE kube_pod_container_resource_limits gauge'];
  for (let t = end - 2 * 86_400; t <= end; t += 300) {
    const ws = 200e6 + 50e6 * Math.sin((2 * Math.PI * (t % 86_400)) / 86_400);
    lines.push(
      `container_memory_working_set_bytes{namespace="shop",pod="checkout-7d9f8b6c5d-abcde",container="app"} ${ws} ${t}`,
    );
    lines.push(
      `kube_pod_container_resource_limits{namespace="shop",pod="checkout-7d9f8b6c5d-abcde",resource="memory"} 512000000 ${t}`,
    );
  }
  return `${lines.join('\n')}\n# EOF\n`;
}

describe('intake/prometheus against a real Prometheus (test/servers)', () => {
  const END = 1_750_000_000 - (1_750_000_000 % 300);
  let prom: PrometheusServer | undefined;
  let url = '';

  beforeAll(async () => {
    // History backfilled with promtool before start; nothing is scraped.
    prom = await startPrometheus({ openMetrics: history(END) });
    url = prom.url;
  });

  afterAll(async () => {
    await prom?.stop();
  });

  it('reads the working-set ratio window of a workload through the real HTTP API', async () => {
    const config = SalveConfig.parse({}).perception;
    const telemetry = await collectMetricWindows(TARGET, {
      config,
      slos: [],
      client: { address: url },
      now: new Date(END * 1000),
    });
    const ratio = telemetry.metrics.find((w) => w.name === 'memory-working-set-ratio');
    expect(ratio?.points.length).toBeGreaterThan(500);
    for (const [, v] of ratio?.points ?? []) expect(v).toBeGreaterThan(0.28);
    expect(telemetry.metrics.map((w) => w.name)).not.toContain('hpa-replicas-ratio');
  });

  it('gives the pipeline a telemetry source when .salve.yaml names the Prometheus', async () => {
    const config = SalveConfig.parse({ perception: { prometheus: { address: url } } });
    const source = await prometheusTelemetry([TARGET], config, { now: new Date(END * 1000), log: silentLogger() });
    expect(source?.(TARGET)?.metrics.map((w) => w.name)).toContain('memory-working-set-ratio');
    expect(
      await prometheusTelemetry([TARGET], SalveConfig.parse({}), { now: new Date(), log: silentLogger() }),
    ).toBeUndefined();
  });

  it('reports Prometheus errors by name and type', async () => {
    await expect(
      queryRange({ name: 'bad', query: 'sum(', start: END - 3600, end: END, stepSeconds: 60 }, { address: url }),
    ).rejects.toThrow(/query bad: HTTP 400 bad_data/);
  });
});
