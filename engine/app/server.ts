/**
 * The `salve serve` HTTP server: GitHub webhooks, the Alertmanager intake (queued per
 * repository), health, readiness and metrics. `createServer` is the single wiring point.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Meter, Tracer } from '@opentelemetry/api';
import type { OutcomeStore } from '../followup/outcomes.ts';
import type { RevertRetry } from '../followup/revert/pending.ts';
import type { FollowUpRunner } from '../followup/runner.ts';
import type { AlertmanagerPayload } from '../intake/alertmanager-schema.ts';
import { InputError } from '../model/index.ts';
import type { SigningKey } from '../policy/index.ts';
import { freezeOnForeignPush } from '../publish/github/freeze.ts';
import { openState } from '../state/index.ts';
import { QueueFull, type StateStore } from '../state/types.ts';
import { createStages, type Stages } from '../telemetry/stages.ts';
import { checkoutFor } from './checkout.ts';
import { type ClusterWiring, wireClusterIntake } from './cluster-intake.ts';
import type { ServeConfig } from './config.ts';
import { wireFollowUp } from './followup.ts';
import { appClient, type ClientOptions, Installations, installationToken } from './github.ts';
import { applyServerLimits, BodyReader, BodyTooLarge, Busy, checkingInterval } from './http-limits.ts';
import { Metrics } from './metrics.ts';
import { isCanonicalPath } from './repo-name.ts';
import { intakeRoute, matchIntake, type Reply, webhookRoute } from './routes.ts';
import { type Checkout, type Clock, type Logger, type Planner, type RepoRef, systemClock } from './types.ts';
import { createWebhookHandler } from './webhooks.ts';
import { createRepoJob, parseRepoKey, type WorkerDeps } from './worker.ts';

export interface ServerDeps {
  planner: Planner;
  logger: Logger;
  clock?: Clock;
  checkout?: Checkout;
  /** Octokit timing overrides (tests shorten back-off). */
  github?: Partial<Omit<ClientOptions, 'baseUrl' | 'log'>>;
  gitWriter?: WorkerDeps['gitWriter'];
  /** The state store; default: opened from the configuration when the server starts listening (and closed with it). */
  state?: StateStore;
  /** The cluster intake (`--cluster-intake on`): its new signals queue runs for its repository. */
  cluster?: ClusterWiring;
  /** Follows merged salve PRs up (engine/followup): started by the `pull_request` closed+merged webhook. */
  followUp?: Pick<FollowUpRunner, 'onMerged' | 'recover'> & { cancel?(repo: RepoRef, pull: number): Promise<void> };
  /** Replaces the per-repository run (checkout, plan, publish); for benchmarks of the intake and queue. */
  repoRunner?: WorkerDeps['runner'];
  /** The follow-up's outcome store, shared with the planner (trust earned from outcomes). */
  outcomes?: OutcomeStore;
  /** Signs the proof of a revert the follow-up opens when a merged remediation was harmful. */
  signingKey?: SigningKey;
  /** Back-off of a revert the PR caps hold back (default: engine/followup/revert/pending.ts). */
  revertRetry?: RevertRetry;
  /** OpenTelemetry (off by default): spans per pipeline stage, and every metric also on the meter. */
  telemetry?: { tracer: Tracer | null; meter: Meter | null };
}

export interface SalveServer {
  readonly metrics: Metrics;
  listen(): Promise<string>;
  /** Resolves when no job is queued or running. */
  idle(): Promise<void>;
  /**
   * Stops: intake answers 503 with `Connection: close`, running jobs get `graceMs` (default the
   * configured shutdown grace) to finish and are otherwise handed back (their inbox stays).
   */
  close(graceMs?: number): Promise<{ finished: number; handedBack: number }>;
}

export function createServer(config: ServeConfig, deps: ServerDeps): SalveServer {
  const log = deps.logger;
  const metrics = new Metrics(deps.telemetry?.meter ?? null);
  const stages: Stages = createStages(deps.telemetry?.tracer ?? null, (stage, seconds) =>
    metrics.observe('salve_stage_duration_seconds', seconds, { stage }),
  );
  const clientOptions: ClientOptions = { baseUrl: config.apiUrl, log, ...deps.github };
  const creds = { appId: config.appId, privateKey: config.privateKey };
  const app = appClient(creds, clientOptions);
  const installations = new Installations(app, creds, clientOptions);
  let bot: Promise<string> | null = null;
  let ready = false;
  let draining = false;
  let state: StateStore | null = deps.state ?? null;
  let unwireCluster = () => {};
  const ownsState = !deps.state;
  const store = (): StateStore => {
    if (!state) throw new Error('salve serve: the state store is not open yet');
    return state;
  };
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

  const jobDeps = (s: StateStore): WorkerDeps => ({
    planner: deps.planner,
    checkout: deps.checkout ?? checkoutFor(config),
    clock: deps.clock ?? systemClock,
    logger: log,
    metrics,
    state: s,
    clientFor: (repo) => installations.clientFor(repo),
    tokenFor: installationToken,
    botLogin,
    ...(deps.gitWriter ? { gitWriter: deps.gitWriter } : {}),
    ...(deps.repoRunner ? { runner: deps.repoRunner } : {}),
    stages,
  });
  // Reading the clusters, salve follows its merged PRs up (engine/followup); tests may pass their own.
  const wired = deps.followUp
    ? null
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
          ...(deps.outcomes ? { outcomes: deps.outcomes } : {}),
          ...(deps.signingKey ? { signingKey: deps.signingKey } : {}),
          countError: (stage) => metrics.inc('salve_errors_total', { stage }),
          ...(deps.revertRetry ? { revertRetry: deps.revertRetry } : {}),
        })
      : null;
  const followUp = deps.followUp
    ? { runner: deps.followUp, cancel: deps.followUp.cancel }
    : wired && { runner: wired.runner, cancel: wired.cancel };
  const onWebhook = createWebhookHandler({
    secret: config.webhookSecret,
    metrics,
    logger: log,
    deliveries: { claim: (keys) => store().deliveries.claim(keys) },
    botLogin,
    forgetInstallation: (id) => installations.forget(id),
    onOwnPullClosed: async (repo, delivery) => {
      // A closed PR may free a cap: a repository with held-back remediations gets a run, once per delivery.
      await stages.run('follow-up', { 'salve.repo': repo, 'salve.reason': 'pull-request-closed' }, async (span) => {
        if ((await store().pending.list(repo)).length > 0)
          await store().jobs.schedule(repo, { id: delivery, trace: span.carrier() });
        await wired?.capFreed(parseRepoKey(repo));
      });
    },
    ...(followUp ? { onMerged: async (repo, pull) => void (await followUp.runner.onMerged(repo, pull)) } : {}),
    ...(followUp?.cancel ? { onUnmerged: followUp.cancel } : {}),
    onForeignPush: async (repo, pull, pusher) => {
      const octokit = await installations.clientFor(repo);
      const ctx = { octokit, repo, botLogin: await botLogin(), log, now: (deps.clock ?? systemClock).now() };
      await freezeOnForeignPush(ctx, pull, pusher);
    },
  });

  /** Queue depth, pending remediations and jobs by state: read on scrape, and after each run for OTLP. */
  const refreshGauges = async (s: StateStore) => {
    metrics.set('salve_queue_depth', await s.inbox.depth());
    metrics.set('salve_pending_remediations', await s.pending.count());
    const counts = await s.jobs.counts();
    for (const [k, v] of Object.entries(counts)) metrics.set('salve_jobs', v, { state: k });
  };

  const bodies = new BodyReader(config, (n) => metrics.set('salve_http_bodies_in_flight', n));
  const accept = (repo: string, payload: AlertmanagerPayload) =>
    stages.run('intake', { 'salve.repo': repo, 'salve.alerts': payload.alerts.length }, async (span) => {
      const s = store();
      const result = await s.inbox.enqueue(repo, payload.alerts);
      metrics.inc('salve_signals_received_total', { source: 'alertmanager' }, payload.alerts.length);
      if (result.capped > 0) metrics.inc('salve_queue_capped_alerts_total', {}, result.capped);
      // The run continues this trace: intake → job → perceive … publish, one trace id to the PR.
      await s.jobs.schedule(repo, { trace: span.carrier() });
    });

  async function route(req: IncomingMessage): Promise<Reply> {
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    if (!isCanonicalPath(rawPath)) throw new InputError('request path: "." and ".." segments are not allowed');
    if (req.method === 'GET' && rawPath === '/healthz') return { status: 200, body: 'ok\n' };
    if (req.method === 'GET' && rawPath === '/readyz') {
      const ok = ready && !draining;
      return { status: ok ? 200 : 503, body: ok ? 'ready\n' : draining ? 'stopping\n' : 'not ready\n' };
    }
    if (req.method === 'GET' && rawPath === '/metrics') {
      await refreshGauges(store());
      return { status: 200, body: metrics.render(), type: 'text/plain; version=0.0.4' };
    }
    if (draining) return { status: 503, body: 'shutting down\n', headers: { 'retry-after': '5' } };
    if (req.method === 'POST' && rawPath === '/webhooks/github') return webhookRoute(req, bodies, onWebhook);
    const intake = req.method === 'POST' ? matchIntake(rawPath) : null;
    if (intake) return intakeRoute(req, intake, config, bodies, accept);
    return { status: 404, body: 'not found\n' };
  }

  const server: Server = createHttpServer({ connectionsCheckingInterval: checkingInterval(config) }, (req, res) => {
    route(req).then(
      (reply) => send(req, res, reply, draining),
      (err: unknown) => {
        const status =
          err instanceof BodyTooLarge
            ? 413
            : err instanceof Busy || err instanceof QueueFull
              ? 503
              : err instanceof InputError
                ? 400
                : 500;
        if (status === 500 && !req.destroyed) {
          metrics.inc('salve_errors_total', { stage: 'http' });
          log.error({ err, path: req.url?.slice(0, 200) }, 'request failed');
        }
        const body = `${status === 500 ? 'internal error' : (err as Error).message}\n`;
        const retry = err instanceof QueueFull ? '30' : '1';
        send(req, res, { status, body, headers: status === 503 ? { 'retry-after': retry } : {} }, draining);
      },
    );
  });
  applyServerLimits(server, config);

  return {
    metrics,
    async listen() {
      state ??= await openState(config, log);
      const s = state;
      // Follow-ups wait in the store (journal or Redis): those a crash interrupted run again now.
      await wired?.attach(s);
      const repoJob = createRepoJob(jobDeps(s));
      const handler = deps.telemetry?.meter
        ? (job: Parameters<typeof repoJob>[0]) =>
            repoJob(job).finally(() =>
              refreshGauges(s).catch((err: unknown) => log.debug({ err }, 'gauges not refreshed')),
            )
        : repoJob;
      s.jobs.start(handler, {
        everyMs: config.sweepEveryMs,
        run: async () => {
          const repos = new Set([...(await s.inbox.repos()), ...(await s.pending.repos())]);
          if (repos.size === 0) return;
          await stages.span('salve.sweep', { 'salve.repos': repos.size }, async (sweep) => {
            for (const repo of repos)
              await sweep.run('follow-up', { 'salve.repo': repo, 'salve.reason': 'sweep' }, (span) =>
                s.jobs.schedule(repo, { trace: span.carrier() }),
              );
          });
        },
      });
      if (deps.cluster) {
        // A run with no alerts: the planner takes the clusters' current signals from the feed.
        unwireCluster = wireClusterIntake(
          deps.cluster,
          (repo) => {
            s.jobs
              .schedule(repo, { plan: true })
              .catch((err: unknown) => log.error({ err, repo }, 'could not queue a run'));
          },
          metrics,
          log,
        );
      }
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          const { address, port } = server.address() as AddressInfo;
          const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
          log.info({ address, port, state: s.kind }, 'salve serve listening');
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
      });
    },
    idle: () => store().jobs.idle(),
    async close(graceMs = config.shutdownGraceMs) {
      // Keep listening while jobs drain: a request that still arrives (endpoints lag behind a
      // SIGTERM) is told 503 with Connection: close rather than refused.
      draining = true;
      unwireCluster();
      await wired?.close();
      const jobs = state ? await state.jobs.stop(graceMs) : { finished: 0, handedBack: 0 };
      log.info(jobs, 'jobs stopped');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Requests still being read get what is left of the request timeout, then their sockets go.
      const force = setTimeout(() => server.closeAllConnections(), Math.min(1_000, config.requestTimeoutMs));
      force.unref();
      await closed;
      clearTimeout(force);
      if (ownsState) await state?.close();
      return jobs;
    },
  };
}

/**
 * Writes a reply. A request whose body was not (fully) read gets `Connection: close`, so the rest of
 * its body is never drained into the server; so does every reply while the server stops.
 */
function send(req: IncomingMessage, res: ServerResponse, reply: Reply, draining: boolean): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = {
    'content-type': reply.type ?? 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(reply.body)),
    ...reply.headers,
  };
  if (!req.complete || draining) headers.connection = 'close';
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}
