/**
 * One follow-up, as steps a scheduler runs: wait for Argo CD to report the merge synced and its
 * health settled, wait out the stabilisation window, then observe and decide. Each step is a
 * function of the job (plain data) and what it reads, so any replica can run the next one.
 */
import type { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Slo } from '../config/schema.ts';
import type { PrometheusClientOptions } from '../intake/prometheus.ts';
import type { RepoRef } from '../publish/github/types.ts';
import type { Logger } from '../telemetry/logger.ts';
import { type AlertmanagerClient, firingAlerts } from './alerts.ts';
import { type DescendantCheck, findApplications, readSync } from './application.ts';
import { readCanaries } from './canary.ts';
import { readPods } from './pods.ts';
import { decide } from './score.ts';
import { readSlos } from './slo.ts';
import type { AlertView, FollowUpJob, Observation, Outcome, SyncView } from './types.ts';

export interface ClusterReader {
  custom: CustomObjectsApi;
  core: CoreV1Api;
  /** Where Argo CD Applications live; null reads all namespaces. */
  applicationNamespaces: string[] | null;
}

export interface FollowUpDeps {
  /** The read-only client of a cluster named as `.salve.yaml` names it, or null when salve has none. */
  cluster(name: string): ClusterReader | null;
  /** Is `revision` the merge commit or a descendant, in the PR's repository? */
  isDescendant(repo: RepoRef, mergeSha: string, revision: string): Promise<boolean>;
  alertmanager: AlertmanagerClient | null;
  prometheus(slo: Slo): PrometheusClientOptions;
  now(): Date;
  log: Logger;
}

export type Step =
  | { kind: 'wait'; job: FollowUpJob; at: Date; why: string }
  | { kind: 'done'; job: FollowUpJob; outcome: Outcome };

const errText = (err: unknown) => ((err as Error)?.message ?? String(err)).split('\n')[0]?.slice(0, 200) ?? '';

/** The job for a merged PR, with the alerts about its target firing at merge (the symptom to resolve). */
export async function startFollowUp(job: FollowUpJob, deps: FollowUpDeps): Promise<FollowUpJob> {
  if (job.firingAtMerge || !deps.alertmanager) return job;
  try {
    return { ...job, firingAtMerge: await firingAlerts(deps.alertmanager, job.remediation.target, deps.now()) };
  } catch (err) {
    deps.log.warn({ err, pull: job.pull }, 'alerts at merge could not be read');
    return job;
  }
}

async function syncOf(job: FollowUpJob, deps: FollowUpDeps, gaps: string[]): Promise<SyncView> {
  const none: SyncView = { application: null, settled: false, revision: null, syncStatus: null, health: null };
  const { target, overlay } = job.remediation;
  const kube = deps.cluster(target.cluster);
  if (!kube) {
    gaps.push(`cluster ${target.cluster}: salve has no read access to it`);
    return none;
  }
  try {
    const apps = await findApplications(kube.custom, overlay, target.cluster, kube.applicationNamespaces);
    if (apps.length !== 1) {
      gaps.push(`${apps.length} Argo CD Applications deploy ${overlay} to ${target.cluster}`);
      return none;
    }
    const descends: DescendantCheck = (merge, revision) => deps.isDescendant(job.repo, merge, revision);
    return await readSync(kube.custom, apps[0] as (typeof apps)[0], job.mergeSha, descends);
  } catch (err) {
    gaps.push(`Argo CD Application for ${overlay}: ${errText(err)}`);
    return none;
  }
}

export async function observe(
  job: FollowUpJob,
  deps: FollowUpDeps,
  sync: SyncView,
  gaps: string[],
): Promise<Observation> {
  const now = deps.now();
  const target = job.remediation.target;
  const since = new Date(job.syncedAt ?? job.mergedAt);
  const kube = deps.cluster(target.cluster);
  const obs: Observation = { sync, pods: null, alerts: null, slos: [], canaries: [], gaps };
  if (kube) {
    try {
      obs.pods = await readPods(kube.core, target, since);
    } catch (err) {
      gaps.push(`pods in ${target.namespace}: ${errText(err)}`);
    }
    try {
      obs.canaries = await readCanaries(kube.custom, target, new Date(job.mergedAt), gaps);
    } catch (err) {
      gaps.push(`Argo Rollouts in ${target.namespace}: ${errText(err)}`);
    }
  }
  if (deps.alertmanager) {
    try {
      const now2 = await firingAlerts(deps.alertmanager, target, now);
      const before = job.firingAtMerge ?? [];
      const view: AlertView = {
        firingAtMerge: before,
        stillFiring: now2.filter((a) => before.includes(a)),
        newFiring: job.firingAtMerge ? now2.filter((a) => !before.includes(a)) : [],
      };
      obs.alerts = view;
    } catch (err) {
      gaps.push(`alerts: ${errText(err)}`);
    }
  }
  const merged = new Date(job.mergedAt);
  const pre = job.settings.preWindowMs;
  obs.slos = await readSlos(
    job.slos,
    target.name,
    { before: { start: new Date(merged.getTime() - pre), end: merged }, after: { start: since, end: now } },
    deps.prometheus,
    gaps,
  );
  return obs;
}

/** Runs the next step of one follow-up. */
export async function stepFollowUp(job: FollowUpJob, deps: FollowUpDeps): Promise<Step> {
  const now = deps.now();
  const { stabiliseMs, syncTimeoutMs, pollMs } = job.settings;
  const gaps: string[] = [];
  if (!job.syncedAt) {
    const sync = await syncOf(job, deps, gaps);
    if (sync.settled && sync.revision) {
      const next = { ...job, syncedAt: now.toISOString(), syncedRevision: sync.revision };
      return { kind: 'wait', job: next, at: new Date(now.getTime() + stabiliseMs), why: 'stabilisation window' };
    }
    if (now.getTime() - Date.parse(job.mergedAt) < syncTimeoutMs)
      return { kind: 'wait', job, at: new Date(now.getTime() + pollMs), why: 'waiting for Argo CD to sync the merge' };
    return { kind: 'done', job, outcome: decide(await observe(job, deps, sync, gaps), now) };
  }
  const until = Date.parse(job.syncedAt) + stabiliseMs;
  if (now.getTime() < until) return { kind: 'wait', job, at: new Date(until), why: 'stabilisation window' };
  const sync = await syncOf(job, deps, gaps);
  return { kind: 'done', job, outcome: decide(await observe(job, deps, sync, gaps), now) };
}
