/**
 * salve serve figures: alerts accepted per second at the Alertmanager intake (planner stubbed
 * behind the per-repository queue) against a bare node:http server answering 202 in the same run,
 * and heap growth after a 10,000-alert storm for 50 owners.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer as createHttpServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AlertmanagerPayload } from '../engine/app/alertmanager.ts';
import { loadServeConfig } from '../engine/app/config.ts';
import { createServer } from '../engine/app/server.ts';

const TOKEN = 'bench-intake-token-0123456789';
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

function payload(owner: number, i: number): string {
  return JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="KubePodCrashLooping",deployment="app-${owner}"}`,
    status: 'firing',
    receiver: 'salve',
    groupLabels: { alertname: 'KubePodCrashLooping' },
    commonLabels: { alertname: 'KubePodCrashLooping' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: [
      {
        status: 'firing',
        labels: {
          alertname: 'KubePodCrashLooping',
          namespace: 'shop',
          deployment: `app-${owner}`,
          pod: `app-${owner}-${i}`,
          container: 'app',
        },
        annotations: { summary: 'Pod is crash looping.' },
        startsAt: '2025-03-04T09:58:00Z',
        fingerprint: `${owner}-${i}`,
      },
    ],
  });
}

async function fire(url: string, total: number, concurrency: number, body: (i: number) => string): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const { hostname, port } = new URL(url);
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < total) {
      const data = body(next++);
      await new Promise<void>((resolve, reject) => {
        const req = request(
          {
            hostname,
            port,
            path: '/intake/alertmanager/acme/config',
            method: 'POST',
            agent,
            headers: {
              authorization: `Bearer ${TOKEN}`,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(data),
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => (res.statusCode === 202 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
          },
        );
        req.on('error', reject);
        req.end(data);
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return total / (Number(process.hrtime.bigint() - started) / 1e9);
}

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export async function benchApp(): Promise<Array<{ name: string; value: number; unit: string; reference?: string }>> {
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
  const salve = createServer(config, { planner: { plan: async () => [] }, logger: silent, repoRunner });
  const salveUrl = await salve.listen();

  const bare = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{"accepted":1}');
    });
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;

  const N = 4000;
  const body = (i: number) => payload(i % 50, i);
  await fire(bareUrl, 500, 16, body);
  await fire(salveUrl, 500, 16, body);
  const bareRate = await fire(bareUrl, N, 16, body);
  const salveRate = await fire(salveUrl, N, 16, body);
  await salve.idle();

  gc();
  const before = process.memoryUsage().heapUsed;
  await fire(salveUrl, 10_000, 16, body);
  await salve.idle();
  gc();
  const after = process.memoryUsage().heapUsed;

  await salve.close();
  await rm(stateDir, { recursive: true, force: true });
  await new Promise<void>((r) => bare.close(() => r()));
  return [
    {
      name: 'app.intake.alerts_per_second',
      value: Math.round(salveRate),
      unit: 'alerts/s',
      reference: `bare node:http 202: ${Math.round(bareRate)}/s`,
    },
    { name: 'app.intake.ratio_to_bare_http', value: Number((salveRate / bareRate).toFixed(3)), unit: 'ratio' },
    { name: 'app.storm.heap_used_before', value: Math.round(before / 1024 / 1024), unit: 'MiB' },
    { name: 'app.storm.heap_used_after_10k_alerts_50_owners', value: Math.round(after / 1024 / 1024), unit: 'MiB' },
    {
      name: 'app.storm.heap_growth',
      value: Number(((after - before) / 1024 / 1024).toFixed(2)),
      unit: 'MiB',
      reference: `${owners.size} owners seen`,
    },
  ];
}
