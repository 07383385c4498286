/**
 * The `salve serve` HTTP server: GitHub webhooks, the Alertmanager intake (queued per
 * repository), health, readiness and metrics. `createServer` is the single wiring point.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InputError } from '../model/index.ts';
import { type AlertmanagerPayload, readAlertmanagerBody } from './alertmanager.ts';
import { checkoutFor } from './checkout.ts';
import { type ClusterWiring, wireClusterIntake } from './cluster-intake.ts';
import type { ServeConfig } from './config.ts';
import { appClient, type ClientOptions, Installations, installationToken } from './github.ts';
import { authenticateIntake } from './intake-auth.ts';
import { Metrics } from './metrics.ts';
import { PendingList } from './pending.ts';
import { KeyedQueue } from './queue.ts';
import { type Checkout, type Clock, type Logger, type Planner, systemClock } from './types.ts';
import { createWebhookHandler } from './webhooks.ts';
import { createRepoWorker, type WorkerDeps } from './worker.ts';

export interface ServerDeps {
  planner: Planner;
  logger: Logger;
  clock?: Clock;
  checkout?: Checkout;
  /** Octokit timing overrides (tests shorten back-off). */
  github?: Partial<Omit<ClientOptions, 'baseUrl' | 'log'>>;
  gitWriter?: WorkerDeps['gitWriter'];
  /** The cluster intake (`--cluster-intake on`): its new signals queue runs for its repository. */
  cluster?: ClusterWiring;
  /** Replaces the per-repository run (checkout, plan, publish); for benchmarks of the intake and queue. */
  repoRunner?: (key: string, batch: AlertmanagerPayload[]) => Promise<void>;
}

export interface SalveServer {
  readonly metrics: Metrics;
  listen(): Promise<string>;
  /** Resolves when every queued payload has been processed. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const INTAKE_RE = /^\/intake\/alertmanager(?:\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+))?\/?$/;

export function createServer(config: ServeConfig, deps: ServerDeps): SalveServer {
  const log = deps.logger;
  const metrics = new Metrics();
  const pending = new PendingList();
  const clientOptions: ClientOptions = { baseUrl: config.apiUrl, log, ...deps.github };
  const creds = { appId: config.appId, privateKey: config.privateKey };
  const app = appClient(creds, clientOptions);
  const installations = new Installations(app, creds, clientOptions);
  let bot: Promise<string> | null = null;
  let ready = false;
  const botLogin = () => {
    bot ??= app.rest.apps.getAuthenticated().then(
      (res) => {
        ready = true;
        return `${res.data?.slug ?? 'salve'}[bot]`;
      },
      (err: unknown) => {
        bot = null;
        throw err;
      },
    );
    return bot;
  };

  const runRepo =
    deps.repoRunner ??
    createRepoWorker({
      planner: deps.planner,
      checkout: deps.checkout ?? checkoutFor(config),
      clock: deps.clock ?? systemClock,
      logger: log,
      metrics,
      pending,
      clientFor: (repo) => installations.clientFor(repo),
      tokenFor: installationToken,
      botLogin,
      ...(deps.gitWriter ? { gitWriter: deps.gitWriter } : {}),
    });
  const queue = new KeyedQueue<AlertmanagerPayload>(
    async (key, batch) => {
      metrics.set('salve_queue_depth', queue.depth);
      await runRepo(key, batch);
    },
    (key, err) => log.error({ err, repo: key }, 'repository run failed'),
  );
  const unwireCluster = deps.cluster
    ? wireClusterIntake(deps.cluster, (repo, payload) => queue.push(repo, payload), metrics, log)
    : () => {};
  const onWebhook = createWebhookHandler({
    secret: config.webhookSecret,
    metrics,
    logger: log,
    forgetInstallation: (id) => installations.forget(id),
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://salve.invalid');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, 'ok\n');
    if (req.method === 'GET' && path === '/readyz')
      return send(res, ready ? 200 : 503, ready ? 'ready\n' : 'not ready\n');
    if (req.method === 'GET' && path === '/metrics') {
      metrics.set('salve_queue_depth', queue.depth);
      metrics.set('salve_pending_remediations', pending.size);
      return send(res, 200, metrics.render(), 'text/plain; version=0.0.4');
    }
    if (req.method === 'POST' && path === '/webhooks/github') {
      const rawBody = await readBody(req, config.maxBodyBytes);
      const result = await onWebhook({
        id: header(req, 'x-github-delivery') ?? '',
        name: header(req, 'x-github-event') ?? '',
        signature: header(req, 'x-hub-signature-256') ?? '',
        rawBody,
      });
      const status = result === 'accepted' ? 202 : result === 'unauthorized' ? 401 : 400;
      return send(res, status, `${result}\n`);
    }
    const intake = INTAKE_RE.exec(path);
    if (req.method === 'POST' && intake) {
      const rawBody = await readBody(req, config.maxBodyBytes);
      const secrets = { token: config.alertmanagerToken, hmacSecret: config.alertmanagerHmacSecret };
      const authorized = authenticateIntake(
        secrets,
        { authorization: header(req, 'authorization'), signature: header(req, 'x-salve-signature') },
        rawBody,
      );
      if (!authorized) return send(res, 401, 'unauthorized\n');
      const repo = intake[1] && intake[2] ? `${intake[1]}/${intake[2]}` : (url.searchParams.get('repo') ?? config.repo);
      if (!repo || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo)) {
        throw new InputError(
          'which repository? use /intake/alertmanager/<owner>/<repo>, ?repo=owner/name or SALVE_REPO',
        );
      }
      const payload = readAlertmanagerBody(rawBody);
      metrics.inc('salve_signals_received_total', { source: 'alertmanager' }, payload.alerts.length);
      queue.push(repo, payload);
      return send(res, 202, JSON.stringify({ accepted: payload.alerts.length, repo }), 'application/json');
    }
    return send(res, 404, 'not found\n');
  }

  const server: Server = createHttpServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const status = err instanceof BodyTooLarge ? 413 : err instanceof InputError ? 400 : 500;
      if (status === 500) {
        metrics.inc('salve_errors_total', { stage: 'http' });
        log.error({ err, path: req.url }, 'request failed');
      }
      if (!res.headersSent) send(res, status, `${status === 500 ? 'internal error' : (err as Error).message}\n`);
    });
  });

  return {
    metrics,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          const { address, port } = server.address() as AddressInfo;
          log.info({ address, port }, 'salve serve listening');
          botLogin().catch((err: unknown) => log.warn({ err }, 'GitHub App not reachable yet'));
          resolve(`http://${address.includes(':') ? `[${address}]` : address}:${port}`);
        });
      }),
    idle: () => queue.idle(),
    close: async () => {
      unwireCluster();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue.idle();
    },
  };
}

class BodyTooLarge extends InputError {}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge(`request body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}
