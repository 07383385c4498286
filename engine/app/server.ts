/**
 * The `salve serve` HTTP server: GitHub webhooks, the Alertmanager intake (queued per
 * repository), health, readiness and metrics. `createServer` is the single wiring point.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FollowUpRunner } from '../followup/runner.ts';
import { InputError } from '../model/index.ts';
import type { AlertmanagerPayload } from './alertmanager.ts';
import { checkoutFor } from './checkout.ts';
import { type ClusterWiring, wireClusterIntake } from './cluster-intake.ts';
import type { ServeConfig } from './config.ts';
import { type DeliveryLog, memoryDeliveryLog } from './deliveries.ts';
import { wireFollowUp } from './followup.ts';
import { appClient, type ClientOptions, Installations, installationToken } from './github.ts';
import { applyServerLimits, BodyReader, BodyTooLarge, Busy, checkingInterval } from './http-limits.ts';
import { Metrics } from './metrics.ts';
import { PendingList } from './pending.ts';
import { KeyedQueue } from './queue.ts';
import { isCanonicalPath } from './repo-name.ts';
import { intakeRoute, matchIntake, type Reply, webhookRoute } from './routes.ts';
import { type Checkout, type Clock, type Logger, type Planner, systemClock } from './types.ts';
import { createWebhookHandler } from './webhooks.ts';
import { createRepoWorker, parseRepoKey, type WorkerDeps } from './worker.ts';

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
  /** Follows merged salve PRs up (engine/followup): started by the `pull_request` closed+merged webhook. */
  followUp?: Pick<FollowUpRunner, 'onMerged' | 'recover'>;
  /** Webhook deliveries already handled (default: in memory, bounded). */
  deliveries?: DeliveryLog;
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
  // Reading the clusters, salve follows its merged PRs up (engine/followup); tests may pass their own.
  const followUp = deps.followUp
    ? { runner: deps.followUp, scheduler: null }
    : deps.cluster
      ? wireFollowUp({
          feed: deps.cluster.feed,
          applicationNamespaces: config.clusterNamespaces
            ? [...new Set([...config.clusterNamespaces.split(',').map((n) => n.trim()), 'argocd'])].filter(Boolean)
            : null,
          alertmanagerUrl: config.alertmanagerUrl,
          clientFor: (repo) => installations.clientFor(repo),
          tokenFor: installationToken,
          botLogin,
          checkout: deps.checkout ?? checkoutFor(config),
          clock: deps.clock ?? systemClock,
          log,
        })
      : null;
  const onWebhook = createWebhookHandler({
    secret: config.webhookSecret,
    metrics,
    logger: log,
    deliveries: deps.deliveries ?? memoryDeliveryLog(),
    botLogin,
    forgetInstallation: (id) => installations.forget(id),
    ...(followUp ? { onMerged: async (repo, pull) => void (await followUp.runner.onMerged(repo, pull)) } : {}),
  });

  const bodies = new BodyReader(config, (n) => metrics.set('salve_http_bodies_in_flight', n));
  const accept = (repo: string, payload: AlertmanagerPayload) => {
    metrics.inc('salve_signals_received_total', { source: 'alertmanager' }, payload.alerts.length);
    queue.push(repo, payload);
  };

  async function route(req: IncomingMessage): Promise<Reply> {
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    if (!isCanonicalPath(rawPath)) throw new InputError('request path: "." and ".." segments are not allowed');
    if (req.method === 'GET' && rawPath === '/healthz') return { status: 200, body: 'ok\n' };
    if (req.method === 'GET' && rawPath === '/readyz')
      return { status: ready ? 200 : 503, body: ready ? 'ready\n' : 'not ready\n' };
    if (req.method === 'GET' && rawPath === '/metrics') {
      metrics.set('salve_queue_depth', queue.depth);
      metrics.set('salve_pending_remediations', pending.size);
      return { status: 200, body: metrics.render(), type: 'text/plain; version=0.0.4' };
    }
    if (req.method === 'POST' && rawPath === '/webhooks/github') return webhookRoute(req, bodies, onWebhook);
    const intake = req.method === 'POST' ? matchIntake(rawPath) : null;
    if (intake) return intakeRoute(req, intake, config, bodies, accept);
    return { status: 404, body: 'not found\n' };
  }

  const server: Server = createHttpServer({ connectionsCheckingInterval: checkingInterval(config) }, (req, res) => {
    route(req).then(
      (reply) => send(req, res, reply),
      (err: unknown) => {
        const status =
          err instanceof BodyTooLarge ? 413 : err instanceof Busy ? 503 : err instanceof InputError ? 400 : 500;
        if (status === 500 && !req.destroyed) {
          metrics.inc('salve_errors_total', { stage: 'http' });
          log.error({ err, path: req.url?.slice(0, 200) }, 'request failed');
        }
        const body = `${status === 500 ? 'internal error' : (err as Error).message}\n`;
        send(req, res, { status, body, headers: status === 503 ? { 'retry-after': '1' } : {} });
      },
    );
  });
  applyServerLimits(server, config);

  return {
    metrics,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          const { address, port } = server.address() as AddressInfo;
          const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
          log.info({ address, port }, 'salve serve listening');
          botLogin().catch((err: unknown) => log.warn({ err }, 'GitHub App not reachable yet'));
          // Merged PRs whose follow-up a restart interrupted are found again on GitHub before
          // listen resolves (so the first runs find the installation cached); failures are logged.
          if (!followUp || !deps.cluster) return resolve(url);
          followUp.runner
            .recover(parseRepoKey(deps.cluster.repo))
            .then((n) => log.info({ scheduled: n }, 'follow-ups recovered from GitHub'))
            .catch((err: unknown) => log.warn({ err }, 'follow-ups could not be recovered from GitHub'))
            .finally(() => resolve(url));
        });
      }),
    idle: () => queue.idle(),
    close: async () => {
      unwireCluster();
      await followUp?.scheduler?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Requests still being read get the request timeout to finish, then their sockets go.
      const force = setTimeout(() => server.closeAllConnections(), config.requestTimeoutMs);
      force.unref();
      await closed;
      clearTimeout(force);
      await queue.idle();
    },
  };
}

/**
 * Writes a reply. A request whose body was not (fully) read gets `Connection: close`, so the rest of
 * its body is never drained into the server.
 */
function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = {
    'content-type': reply.type ?? 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(reply.body)),
    ...reply.headers,
  };
  if (!req.complete) headers.connection = 'close';
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}
