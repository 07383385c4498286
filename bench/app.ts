/**
 * salve serve's intake: alerts accepted per second at the Alertmanager route (planner stubbed
 * behind the per-repository queue) against a bare node:http server answering 202, both in this
 * process, loaded in turn (A B A B …) by autocannon in a separate process; then heap growth
 * after a 10,000-alert storm for 50 owners.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AlertmanagerPayload } from '../engine/app/alertmanager.ts';
import { loadServeConfig } from '../engine/app/config.ts';
import { createServer } from '../engine/app/server.ts';
import { PROJECT_ROOT } from '../engine/pipeline/assets.ts';
import { openState } from '../engine/state/index.ts';
import { runProcess } from './process.ts';
import { type Figure, interleave, median, rounds } from './stats.ts';

const TOKEN = 'bench-intake-token-0123456789';
const AMOUNT = 8000;
/**
 * Requests in flight at once, the same for both servers. Alertmanager sends each aggregation
 * group's notification from that group's own goroutine, over one keep-alive client per receiver
 * (prometheus/common's HTTP client keeps up to 1,000 idle connections per host): a storm over this
 * bench's 50 workloads, grouped by workload, can have up to 50 requests in flight, twice that from
 * an HA pair, one when a single group flushes. 16 is between (groups flushing close together), and
 * it is not chosen for either server: salve answers only after an fdatasync, so its rate is about
 * connections / (sync + request time), while the bare server's is bound by CPU alone.
 */
const CONNECTIONS = 16;
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

interface Load {
  rate: number;
  ok: number;
  failed: number;
}

/** One autocannon run in its own process. */
async function load(url: string, amount = AMOUNT): Promise<Load> {
  const run = await runProcess(process.execPath, [
    '--import',
    'tsx',
    join(PROJECT_ROOT, 'bench', 'load.ts'),
    url,
    TOKEN,
    String(amount),
    String(CONNECTIONS),
  ]);
  if (run.code !== 0) throw new Error(`load generator failed: ${run.stderr}`);
  const result = JSON.parse(run.stdout) as Load;
  if (result.failed > 0 || result.ok !== amount) throw new Error(`load against ${url}: ${run.stdout}`);
  return result;
}

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function startSalve() {
  const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
  // GitHub is out of the picture: the API URL points at a closed local port.
  const stateDir = await mkdtemp(join(tmpdir(), 'salve-bench-state-'));
  const config = loadServeConfig(
    ['--port', '0', '--host', '127.0.0.1', '--github-api-url', 'http://127.0.0.1:9', '--state-dir', stateDir],
    {
      SALVE_APP_ID: '1',
      SALVE_PRIVATE_KEY: privateKey,
      SALVE_WEBHOOK_SECRET: 'bench-webhook-secret-0123456789',
      SALVE_ALERTMANAGER_TOKEN: TOKEN,
    },
  );
  // The stubbed run: what perception does with a batch (group alerts by owner), no checkout, no GitHub.
  const owners = new Map<string, number>();
  const repoRunner = async (_key: string, batch: AlertmanagerPayload | null) => {
    for (const a of batch?.alerts ?? [])
      owners.set(a.labels.deployment ?? '', (owners.get(a.labels.deployment ?? '') ?? 0) + 1);
    await new Promise((r) => setTimeout(r, 5));
  };
  // The store is opened here (as serve would) so its journal's sync times can be read.
  const state = await openState(config, silent);
  const server = createServer(config, { planner: { plan: async () => [] }, logger: silent, repoRunner, state });
  const close = async () => {
    await server.close();
    await state.close();
    await rm(stateDir, { recursive: true, force: true });
  };
  return { server, owners, state, close };
}

/** What one server spent on a load run: its CPU per request (this process, every thread). */
async function measured(url: string, extra: () => Record<string, number> = () => ({})) {
  const cpu = process.cpuUsage();
  const before = extra();
  const result = await load(url);
  const used = process.cpuUsage(cpu);
  const after = extra();
  const delta: Record<string, number> = {};
  for (const k of Object.keys(after)) delta[k] = (after[k] ?? 0) - (before[k] ?? 0);
  return { rate: result.rate, cpuUs: (used.user + used.system) / result.ok, delta };
}

async function startBare(): Promise<{ url: string; close(): Promise<void> }> {
  const bare = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{"accepted":1}');
    });
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(bare.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => bare.close(() => r())),
  };
}

export async function benchApp(): Promise<Figure[]> {
  const salve = await startSalve();
  const salveUrl = await salve.server.listen();
  const bare = await startBare();
  try {
    await load(bare.url, 2000);
    await load(salveUrl, 2000);
    const n = rounds();
    const journal = () => {
      const st = salve.state.journalStats?.();
      return { syncs: st?.syncs ?? 0, seconds: st?.syncSeconds ?? 0, records: st?.records ?? 0 };
    };
    const runs = await interleave(
      n,
      () => measured(salveUrl, journal),
      () => measured(bare.url),
      () => salve.server.idle(),
    );
    const salveRate = median(runs.a.map((r) => r.rate));
    const bareRate = median(runs.b.map((r) => r.rate));
    const us = (v: number) => `${Math.round(v)} µs`;
    // Sync time as the event loop saw it (write to completion), and alerts per sync (intake puts
    // and the stubbed runs' deletes share the journal).
    const syncMs = median(runs.a.map((r) => (1000 * (r.delta.seconds ?? 0)) / Math.max(1, r.delta.syncs ?? 0)));
    const perSync = median(runs.a.map((r) => AMOUNT / Math.max(1, r.delta.syncs ?? 0)));
    const cpu = `CPU per request ${us(median(runs.a.map((r) => r.cpuUs)))} vs ${us(median(runs.b.map((r) => r.cpuUs)))}`;
    const sync = `mean sync ${syncMs.toFixed(2)} ms, ${perSync.toFixed(1)} alerts a sync`;
    await salve.server.idle();

    gc();
    const before = process.memoryUsage().heapUsed;
    await load(salveUrl, 10_000);
    await salve.server.idle();
    gc();
    const after = process.memoryUsage().heapUsed;
    const rate = (r: number) => `${Math.round(r).toLocaleString('en')}/s`;
    const value = salveRate / bareRate;
    return [
      {
        name: 'intake alerts/s / bare node:http 202',
        value,
        unit: 'x',
        reference: `median ${rate(salveRate)} vs ${rate(bareRate)}; ${cpu}; ${sync}; autocannon in its own process, ${CONNECTIONS} connections, ${AMOUNT} alerts a run, ${n} pairs`,
        goal: '>= 0.8x, >= 10,000/s',
        met: value >= 0.8 && salveRate >= 10_000,
      },
      {
        name: 'intake heap growth, 10,000-alert storm, 50 owners',
        value: (after - before) / 1024 / 1024,
        unit: 'MiB',
        reference: `${salve.owners.size} owners seen`,
      },
    ];
  } finally {
    await salve.close();
    await bare.close();
  }
}
