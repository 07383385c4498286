/**
 * `salve serve` follows its merged PRs up when it reads the clusters: the runner gets the feed's
 * read-only connections, the installation's GitHub client, the config repo's SLOs and follow-up
 * settings from a checkout, Alertmanager's API when configured, and with a signing key the revert
 * of a harmful remediation. Its jobs are scheduled on the state store once it is open (`attach`):
 * the embedded journal or BullMQ over Redis, so a follow-up outlives a restart and several replicas
 * run each one once.
 */
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { ClusterFeed } from '../cluster/feed.ts';
import { durableScheduler, FOLLOW_UPS } from '../followup/durable.ts';
import type { ClusterReader } from '../followup/follow.ts';
import { descendantViaGitHub } from '../followup/github.ts';
import { memoryOutcomeStore, type OutcomeStore } from '../followup/outcomes.ts';
import { createRevertHook } from '../followup/revert/hook.ts';
import {
  PENDING_REVERTS,
  type PendingRevert,
  type PendingReverts,
  pendingReverts,
  type RevertRetry,
} from '../followup/revert/pending.ts';
import { createFollowUpRunner, type FollowUpRunner } from '../followup/runner.ts';
import type { FollowUpScheduler } from '../followup/scheduler.ts';
import { followUpKey } from '../followup/scheduler.ts';
import { followUpSettings } from '../followup/settings.ts';
import type { FollowUpJob } from '../followup/types.ts';
import type { SigningKey } from '../policy/index.ts';
import type { GitHubContext } from '../publish/github/types.ts';
import { loadConfig, openSnapshot } from '../repo/index.ts';
import type { StateStore } from '../state/types.ts';
import { deepenClone } from './checkout.ts';
import type { SalveOctokit } from './github.ts';
import type { Checkout, Clock, Logger, RepoRef } from './types.ts';

export interface FollowUpWiring {
  feed: ClusterFeed;
  /** Namespaces where Argo CD Applications are listed; null lists them cluster-wide. */
  applicationNamespaces: string[] | null;
  alertmanagerUrl?: string | undefined;
  clientFor(repo: RepoRef): Promise<SalveOctokit>;
  tokenFor(client: SalveOctokit): Promise<string>;
  botLogin(): Promise<string>;
  checkout: Checkout;
  clock: Clock;
  log: Logger;
  outcomes?: OutcomeStore;
  /** With a key, a harmful outcome opens a signed revert PR (engine/followup/revert). */
  signingKey?: SigningKey;
  /** Counts an error of a stage (salve_errors_total): a revert the caps held back past its last try. */
  countError?(stage: string): void;
  /** Back-off of a revert the PR caps hold back. */
  revertRetry?: RevertRetry;
}

export interface WiredFollowUp {
  runner: FollowUpRunner;
  /** Schedules follow-ups on the store's delayed jobs and starts running those it already holds. */
  attach(state: Pick<StateStore, 'delayed'>): Promise<void>;
  /** Cancels the follow-up of a PR closed unmerged or reopened. */
  cancel(repo: RepoRef, pull: number): Promise<void>;
  /** One of salve's PRs in the repo closed: reverts the caps held back are tried now. */
  capFreed(repo: RepoRef): Promise<void>;
  close(): Promise<void>;
}

export function wireFollowUp(w: FollowUpWiring): WiredFollowUp {
  const log = w.log.child({ stage: 'followup' });
  const github = async (repo: RepoRef): Promise<GitHubContext> => ({
    octokit: await w.clientFor(repo),
    repo,
    botLogin: await w.botLogin(),
    log,
    now: w.clock.now(),
  });
  const cluster = (name: string): ClusterReader | null => {
    const kc = w.feed.kubeConfig(name);
    if (!kc) return null;
    return {
      custom: kc.makeApiClient(CustomObjectsApi),
      core: kc.makeApiClient(CoreV1Api),
      applicationNamespaces: w.applicationNamespaces,
    };
  };
  let scheduler: FollowUpScheduler | null = null;
  let reverts: PendingReverts | null = null;
  const outcomes = w.outcomes ?? memoryOutcomeStore();
  const revert = w.signingKey
    ? createRevertHook({
        github,
        tokenFor: async (repo) => w.tokenFor(await w.clientFor(repo)),
        checkout: w.checkout,
        deepen: deepenClone,
        signingKey: w.signingKey,
        outcomes,
        log,
      })
    : null;
  const runner = createFollowUpRunner({
    follow: {
      cluster,
      isDescendant: descendantViaGitHub(github),
      alertmanager: w.alertmanagerUrl ? { address: w.alertmanagerUrl } : null,
      prometheus: (slo) => ({ address: slo.prometheus.address }),
      now: () => w.clock.now(),
      log,
    },
    github,
    configOf: async (repo) => {
      const co = await w.checkout.prepare(repo, await w.tokenFor(await w.clientFor(repo)));
      try {
        // At the base commit: a clone has no working tree (reading the directory gave the defaults).
        const { config } = await loadConfig(await openSnapshot(co.dir, co.baseCommit));
        return { slos: config.slos, settings: followUpSettings(config.followUp) };
      } finally {
        await co.cleanup();
      }
    },
    scheduler: () => {
      if (!scheduler) throw new Error('follow-up scheduler used before it was made');
      return scheduler;
    },
    outcomes,
    ...(revert
      ? {
          onOutcome: async (job, outcome, record) => {
            if (!reverts) throw new Error('follow-up reverts used before the state store was attached');
            await reverts.afterOutcome(job, outcome, record);
          },
        }
      : {}),
    ...(revert
      ? {
          owedRevert: async (ctx, job, record) => {
            if (!reverts) throw new Error('follow-up reverts used before the state store was attached');
            await reverts.owed(ctx, job, record);
          },
        }
      : {}),
    log,
  });
  const step = async (job: FollowUpJob) => {
    await runner.run(job);
  };
  return {
    runner,
    async attach(state) {
      const jobs = await state.delayed<FollowUpJob>(FOLLOW_UPS, { now: () => w.clock.now().getTime() });
      scheduler = durableScheduler(jobs, step);
      if (revert)
        reverts = pendingReverts(
          await state.delayed<PendingRevert>(PENDING_REVERTS, { now: () => w.clock.now().getTime() }),
          {
            revert,
            github,
            now: () => w.clock.now(),
            log,
            onGiveUp: () => w.countError?.('revert'),
            ...(w.revertRetry ? { retry: w.revertRetry } : {}),
          },
        );
    },
    async capFreed(repo) {
      const woken = (await reverts?.capFreed(repo)) ?? 0;
      if (woken > 0) log.info({ repo: `${repo.owner}/${repo.repo}`, woken }, 'held-back reverts tried again');
    },
    async cancel(repo, pull) {
      const key = followUpKey({ repo, pull });
      await scheduler?.cancel(key);
      log.info({ key }, 'follow-up cancelled');
    },
    async close() {
      await scheduler?.close();
      await reverts?.close();
    },
  };
}
