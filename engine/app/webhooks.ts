/**
 * GitHub webhooks: the signature is verified over the raw body before anything else happens, a
 * delivery is handled once, and nothing a sender chose (event name, delivery id) becomes a metric
 * label. salve listens for what changes its view of its own PRs and installations.
 */
import { Webhooks } from '@octokit/webhooks';
import { isOwnPull } from '../publish/github/inventory.ts';
import type { PullSummary } from '../publish/github/types.ts';
import { type DeliveryLog, deliveryKeys } from './deliveries.ts';
import type { Metrics } from './metrics.ts';
import type { Logger, RepoRef } from './types.ts';

export interface WebhookDeps {
  secret: string;
  metrics: Metrics;
  logger: Logger;
  deliveries: DeliveryLog;
  /** The App's bot login: only PRs it opened are salve's. */
  botLogin(): Promise<string>;
  forgetInstallation(id: number): void;
  /** One of salve's PRs was closed or merged (`repo` is owner/name); `delivery` is the webhook's id. */
  onOwnPullClosed?(repo: string, delivery: string): Promise<void>;
  /** A salve PR merged: its follow-up starts (engine/followup). */
  onMerged?(repo: RepoRef, pull: PullSummary & { merge_commit_sha?: string | null }): Promise<void>;
  /** A salve PR closed without merging, or reopened: a follow-up scheduled for it is cancelled. */
  onUnmerged?(repo: RepoRef, pull: number): Promise<void>;
  /** Someone other than salve (`pusher`) pushed to a salve PR's branch: auto-merge off, branch frozen. */
  onForeignPush?(repo: RepoRef, pull: PullSummary, pusher: string): Promise<void>;
}

type Task = [name: string, run: (() => Promise<void>) | undefined];

/** Runs every task even when one throws; each failure is logged with its name and counted. */
async function runEach(
  deps: Pick<WebhookDeps, 'logger' | 'metrics'>,
  tasks: Task[],
  where: Record<string, unknown>,
): Promise<void> {
  const settled = await Promise.allSettled(tasks.map(([, task]) => (task ? task() : Promise.resolve())));
  settled.forEach((r, i) => {
    if (r.status === 'fulfilled') return;
    deps.metrics.inc('salve_errors_total', { stage: 'webhook' });
    deps.logger.error({ err: r.reason, ...where, handler: tasks[i]?.[0] }, 'pull request handler failed');
  });
}

/** The events salve subscribes to (and GitHub's ping); any other name is counted as `other`. */
const KNOWN_EVENTS = new Set(['ping', 'pull_request', 'installation', 'installation_repositories']);

export function eventLabel(name: string): string {
  return KNOWN_EVENTS.has(name) ? name : 'other';
}

export interface WebhookDelivery {
  id: string;
  name: string;
  signature: string;
  rawBody: string;
}

export type WebhookResult = 'accepted' | 'duplicate' | 'unauthorized' | 'bad-request';

export function createWebhookHandler(deps: WebhookDeps) {
  const webhooks = new Webhooks({ secret: deps.secret });

  webhooks.on('pull_request.closed', async ({ id, payload }) => {
    const pr = payload.pull_request as PullSummary;
    if (!isOwnPull({ botLogin: await deps.botLogin() }, pr)) return;
    const event = payload.pull_request.merged ? 'merged' : 'closed';
    deps.metrics.inc('salve_pull_requests_total', { event });
    deps.logger.info(
      { pull: payload.pull_request.number, repo: payload.repository.full_name, event },
      'salve pull request closed',
    );
    // Each consequence runs on its own: a failing one is logged and counted, never skips the others.
    const repo = { owner: payload.repository.owner.login, repo: payload.repository.name };
    const pull = payload.pull_request as PullSummary & { merge_commit_sha?: string | null };
    const { onOwnPullClosed: closed, onMerged: merged, onUnmerged: unmerged } = deps;
    const tasks: Task[] = [['pull-closed', closed && (() => closed(payload.repository.full_name, id))]];
    if (event === 'merged') tasks.push(['follow-up', merged && (() => merged(repo, pull))]);
    else tasks.push(['follow-up-cancel', unmerged && (() => unmerged(repo, pull.number))]);
    await runEach(deps, tasks, { delivery: id, pull: pull.number, repo: payload.repository.full_name });
  });
  webhooks.on('pull_request.reopened', async ({ id, payload }) => {
    const pr = payload.pull_request as PullSummary;
    if (!deps.onUnmerged || !isOwnPull({ botLogin: await deps.botLogin() }, pr)) return;
    const repo = { owner: payload.repository.owner.login, repo: payload.repository.name };
    const unmerged = deps.onUnmerged;
    await runEach(deps, [['follow-up-cancel', () => unmerged(repo, pr.number)]], {
      delivery: id,
      pull: pr.number,
      repo: payload.repository.full_name,
    });
  });
  webhooks.on('pull_request.synchronize', async ({ id, payload }) => {
    const pr = payload.pull_request as PullSummary;
    const bot = await deps.botLogin();
    const pusher = payload.sender?.login ?? 'unknown';
    if (!deps.onForeignPush || pusher === bot || !isOwnPull({ botLogin: bot }, pr)) return;
    const repo = { owner: payload.repository.owner.login, repo: payload.repository.name };
    const foreign = deps.onForeignPush;
    await runEach(deps, [['freeze', () => foreign(repo, pr, pusher)]], {
      delivery: id,
      pull: pr.number,
      repo: payload.repository.full_name,
    });
  });
  webhooks.on(['installation.deleted', 'installation.suspend'], ({ payload }) => {
    deps.forgetInstallation(payload.installation.id);
  });
  webhooks.on(['installation_repositories.removed', 'installation_repositories.added'], ({ payload }) => {
    deps.forgetInstallation(payload.installation.id);
  });

  return async function handle(d: WebhookDelivery): Promise<WebhookResult> {
    const event = eventLabel(d.name);
    if (!d.signature || !(await webhooks.verify(d.rawBody, d.signature).catch(() => false))) {
      deps.metrics.inc('salve_webhooks_total', { event, result: 'unauthorized' });
      return 'unauthorized';
    }
    if (!(await deps.deliveries.claim(deliveryKeys(d.id, d.rawBody)))) {
      deps.metrics.inc('salve_webhooks_total', { event, result: 'duplicate' });
      deps.logger.info({ event, delivery: d.id }, 'webhook delivery already handled');
      return 'duplicate';
    }
    let payload: unknown;
    try {
      payload = JSON.parse(d.rawBody);
    } catch {
      deps.metrics.inc('salve_webhooks_total', { event, result: 'bad-request' });
      return 'bad-request';
    }
    try {
      await webhooks.receive({ id: d.id, name: d.name, payload } as Parameters<typeof webhooks.receive>[0]);
    } catch (err) {
      deps.metrics.inc('salve_errors_total', { stage: 'webhook' });
      deps.logger.error({ err, event, delivery: d.id }, 'webhook handler failed');
    }
    deps.metrics.inc('salve_webhooks_total', { event, result: 'accepted' });
    return 'accepted';
  };
}
