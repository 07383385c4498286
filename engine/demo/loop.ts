/**
 * `salve demo`'s closed loop: two remediations the demo just published are merged into its bare
 * remote (real merge commits), a local etcd + kube-apiserver holds the config repo's Argo CD
 * Applications, and salve's follow-up reads it read-only, on a clock the demo advances. The demo
 * plays Argo CD, the kubelet and Argo Rollouts by writing their status; the first fix holds
 * (effective), the second's canary analysis fails (harmful) and salve plans its revert.
 */
import { existsSync } from 'node:fs';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { type FollowUpDeps, followUpSettings, stepFollowUp } from '../followup/index.ts';
import { isAncestor } from '../followup/revert/git.ts';
import type { FollowUpJob, Outcome } from '../followup/types.ts';
import type { Remediation } from '../model/remediation.ts';
import { counted } from '../model/words.ts';
import type { Logger } from '../telemetry/logger.ts';
import { serverBinary } from '../tools/servers.ts';
import { ToolError } from '../tools/tool.ts';
import { findApplicationFile } from './applications.ts';
import { planDemoRevert } from './loop-revert.ts';
import { mergeIntoRemote } from './merge.ts';
import { analysisRun, ensureNamespace, installApplication, readyPods, reportSync } from './play.ts';
import { type KubeServer, startKube } from './servers/kube.ts';
import { kubeConfigFor } from './servers/kube-client.ts';
import { CRD_FILES, RBAC_FILES } from './servers/kube-install.ts';
import { REPO_ROOT } from './servers/tools.ts';
import type { DemoWorld } from './setup.ts';

export interface Published {
  remediation: Remediation;
  branch: string;
}

export interface LoopOptions {
  world: DemoWorld;
  published: Published[];
  out(line?: string): void;
  log: Logger;
  now: Date;
  /** The tools cache holding the built etcd and kube-apiserver (`salve setup --servers`). */
  tools: string;
  /** Where the Applications go (default: the namespace their manifests name, argocd). */
  applicationNamespace?: string;
  /**
   * Put before the workloads' namespaces in the cluster (default none). A spec sharing its cluster
   * with others keeps its pods apart; the revert is still planned for the repo's namespaces.
   */
  workloadNamespacePrefix?: string;
  /** Starts the cluster (tests pass one already running); default: a fresh etcd + kube-apiserver. */
  startKube?: () => Promise<Pick<KubeServer, 'info' | 'stop'>>;
}

/** Why the loop cannot run here, or null when the servers are built in `tools` and the CRDs shipped. */
export function serversMissing(tools: string): string | null {
  try {
    serverBinary('kube-apiserver', tools);
    serverBinary('etcd', tools);
  } catch (err) {
    if (err instanceof ToolError) return err.message;
    throw err;
  }
  const absent = [...CRD_FILES, ...RBAC_FILES].find((f) => !existsSync(`${REPO_ROOT}/${f}`));
  return absent ? `${absent}, which the local cluster installs, is not in this installation` : null;
}

const MIN = 60_000;
/** Where the example config repo would live on GitHub (the demo has none: nothing is sent there). */
const REPO = { owner: 'example-org', repo: 'platform-config' };
const SETTINGS = followUpSettings({
  stabilisationWindow: '2m',
  syncTimeout: '10m',
  preWindow: '30m',
  pollInterval: '30s',
});

const short = (sha: string) => sha.slice(0, 12);

/** A harmful outcome leads with its harm: the harm overrides the score, which may well read 1.00. */
function describe(o: Outcome): string {
  const s = o.score;
  const part = (v: number | null) => (v === null ? 'n/a' : v.toFixed(2));
  const score = `score ${s.overall.toFixed(2)}: health ${part(s.health)}, alerts ${part(s.alerts)}, ${counted(s.metrics.length, 'SLO query', 'SLO queries')}`;
  if (o.kind === 'harmful') return `harmful: ${o.reasons[0] ?? 'a harm'} (the harm overrides the ${score})`;
  return `${o.kind} (${score})${o.reasons[0] ? `: ${o.reasons[0]}` : ''}`;
}

/** Runs one follow-up to its outcome, printing what it sees; the demo's Argo CD syncs on the first poll. */
async function follow(
  o: LoopOptions,
  kube: Pick<KubeServer, 'info'>,
  item: Published,
  pull: number,
  canary: 'ok' | 'failed',
): Promise<{ job: FollowUpJob; outcome: Outcome }> {
  const { remediation: r, branch } = item;
  const declared = {
    cluster: r.target.cluster,
    namespace: r.target.namespace,
    kind: r.target.kind,
    name: r.target.name,
  };
  const target = { ...declared, namespace: `${o.workloadNamespacePrefix ?? ''}${declared.namespace}` };
  const mergeSha = await mergeIntoRemote(o.world.work, branch, pull);
  o.out(`merged    #${pull} ${branch} → main @ ${short(mergeSha)} (a merge commit, pushed to the demo's bare remote)`);
  let clock = new Date(o.now.getTime() + pull * MIN);
  const app = await installApplication(
    kube.info,
    o.world.work,
    await findApplicationFile(o.world.work, r.overlay, target.cluster),
    o.applicationNamespace,
  );
  const kc = kubeConfigFor(kube.info, kube.info.identities.reader);
  const deps: FollowUpDeps = {
    cluster: (name) =>
      name === target.cluster
        ? {
            custom: kc.makeApiClient(CustomObjectsApi),
            core: kc.makeApiClient(CoreV1Api),
            applicationNamespaces: [app.namespace],
          }
        : null,
    isDescendant: async (_repo, merge, revision) => isAncestor(o.world.work, merge, revision),
    alertmanager: null,
    prometheus: () => ({ address: 'http://127.0.0.1:9' }),
    now: () => clock,
    log: o.log,
  };
  let job: FollowUpJob = {
    repo: REPO,
    pull,
    url: `https://github.com/${REPO.owner}/${REPO.repo}/pull/${pull}`,
    mergeSha,
    headSha: mergeSha,
    mergedAt: clock.toISOString(),
    remediation: { id: r.id, fingerprint: r.incident.fingerprint, action: r.action.id, target, overlay: r.overlay },
    slos: [],
    settings: SETTINGS,
  };
  let step = await stepFollowUp(job, deps);
  if (step.kind === 'wait') o.out(`follow-up ${step.why} (Application ${app.name})`);
  await reportSync(kube.info, app, mergeSha, 'Healthy');
  await ensureNamespace(kube.info, target.namespace);
  await readyPods(kube.info, target, 2, clock);
  if (canary === 'failed') {
    const run = await analysisRun(
      kube.info,
      target,
      'Failed',
      'Metric "error-rate" assessed Failed due to failed (1) > failureLimit (0)',
    );
    o.out(`rollouts  AnalysisRun ${run} Failed (played by the demo)`);
  }
  for (let i = 0; step.kind === 'wait' && i < 10; i++) {
    clock = step.at;
    step = await stepFollowUp(step.job, deps);
    if (step.kind === 'wait' && step.job.syncedRevision && !job.syncedRevision) {
      o.out(`argo cd   ${app.name} synced ${short(step.job.syncedRevision)}, Healthy (played by the demo)`);
      o.out(
        `pods      2/2 ready in ${target.namespace} (the kubelet, played by the demo); ${step.why} until ${step.at.toISOString()}`,
      );
    }
    job = step.job;
  }
  if (step.kind !== 'done') throw new Error(`follow-up of #${pull} did not finish`);
  o.out(`outcome   ${describe(step.outcome)}`);
  o.out(
    'record    salve would record it as the salve/outcome check run and a comment on the PR (the demo has no GitHub)',
  );
  // The revert is planned from the config repo, which names the workload's own namespace.
  const planned = { ...step.job, remediation: { ...step.job.remediation, target: declared } };
  return { job: planned, outcome: step.outcome };
}

/** The loop part of the demo. Returns the number of failures (0 when the servers are absent). */
export async function runLoop(o: LoopOptions): Promise<number> {
  o.out();
  o.out('── the loop: merge → Argo CD sync → pods → outcome (the demo plays Argo CD, the kubelet and Argo Rollouts)');
  const missing = o.startKube ? null : serversMissing(o.tools);
  if (missing) {
    o.out(
      `skipped   the local kube-apiserver and etcd are needed: ${missing.split(': run')[0]} (build them with \`salve setup --servers\`, or see its output for release binaries)`,
    );
    return 0;
  }
  const effective = o.published.find((p) => p.remediation.target.kind === 'Deployment');
  const harmful = o.published.find((p) => p.remediation.target.kind === 'Rollout');
  if (!effective || !harmful) {
    o.out('skipped   the demo published no Deployment fix and Rollout fix to follow');
    return 0;
  }
  const kube = await (o.startKube ?? (() => startKube({ parentDir: o.world.root, tools: o.tools })))();
  try {
    o.out(
      `cluster   etcd + kube-apiserver on ${kube.info.url}, Argo CD and Argo Rollouts CRDs installed; salve reads as ${kube.info.identities.reader.user} (read-only)`,
    );
    await follow(o, kube, effective, 101, 'ok');
    o.out();
    const bad = await follow(o, kube, harmful, 102, 'failed');
    return bad.outcome.kind === 'harmful' ? await planDemoRevert(o, bad.job, bad.outcome) : 1;
  } finally {
    await kube.stop();
  }
}
