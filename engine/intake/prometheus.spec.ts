import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PERCEPTION_QUERIES, SalveConfig } from '../config/schema.ts';
import { InputError } from '../model/index.ts';
import { prometheusTelemetry } from '../pipeline/telemetry.ts';
import { silentLogger } from '../telemetry/logger.ts';
import { toolsDir } from '../tools/index.ts';
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

/** A real Prometheus from the tools cache, when one has been built there. */
function prometheusBinaries(): { prometheus: string; promtool: string } | null {
  const dir = toolsDir();
  if (!existsSync(dir)) return null;
  for (const d of readdirSync(dir)
    .filter((n) => n.startsWith('prometheus'))
    .sort()
    .reverse()) {
    const prometheus = join(dir, d, 'prometheus');
    const promtool = join(dir, d, 'promtool');
    if (existsSync(prometheus) && existsSync(promtool)) return { prometheus, promtool };
  }
  return null;
}

const bins = prometheusBinaries();
const run = promisify(execFile);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(bins === null)('intake/prometheus against a real Prometheus (tools cache)', () => {
  const END = 1_750_000_000 - (1_750_000_000 % 300);
  let dir = '';
  let url = '';
  let proc: ReturnType<typeof spawn> | null = null;

  beforeAll(async () => {
    const b = bins as { prometheus: string; promtool: string };
    dir = mkdtempSync(join(tmpdir(), 'salve-prom-'));
    mkdirSync(join(dir, 'data'));
    // Two days of working set and limit for checkout's pods, every 5 minutes, backfilled.
    const lines = [
      '# TYPE container_memory_working_set_bytes gauge',
      '# TYPE kube_pod_container_resource_limits gauge',
    ];
    for (let t = END - 2 * 86_400; t <= END; t += 300) {
      const ws = 200e6 + 50e6 * Math.sin((2 * Math.PI * (t % 86_400)) / 86_400);
      lines.push(
        `container_memory_working_set_bytes{namespace="shop",pod="checkout-7d9f8b6c5d-abcde",container="app"} ${ws} ${t}`,
      );
      lines.push(
        `kube_pod_container_resource_limits{namespace="shop",pod="checkout-7d9f8b6c5d-abcde",resource="memory"} 512000000 ${t}`,
      );
    }
    lines.push('# EOF');
    writeFileSync(join(dir, 'history.om'), `${lines.join('\n')}\n`);
    await run(b.promtool, ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'history.om'), join(dir, 'data')]);
    writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    proc = spawn(
      b.prometheus,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=3650d',
        '--log.level=warn',
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 200; i++) {
      try {
        if ((await fetch(`${url}/-/ready`)).ok) return;
      } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('prometheus did not become ready');
  });

  afterAll(async () => {
    proc?.kill('SIGTERM');
    if (proc && proc.exitCode === null) await new Promise((r) => proc?.once('exit', r));
    if (dir) rmSync(dir, { recursive: true, force: true });
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
