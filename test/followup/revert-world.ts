/**
 * A config repo where salve's own remediation merged: the podinfo test bed, a real `salve plan`
 * for an OOM in production (its branch, commit, explanation and proof), merged into main as GitHub
 * merges a PR (a merge commit whose first parent is main). And the GitHub calls that open the revert.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type nock from 'nock';
import type { Checkout, CheckoutResult } from '../../engine/app/types.ts';
import type { MergedPull } from '../../engine/followup/runner.ts';
import type { FollowUpJob, Outcome } from '../../engine/followup/types.ts';
import type { RenderedDiff } from '../../engine/model/index.ts';
import type { PublishRequest } from '../../engine/model/remediation.ts';
import { runPlan } from '../../engine/pipeline/run.ts';
import { makePodinfoRepo, type PodinfoRepo } from '../../engine/repo/__fixtures__/podinfo.ts';
import * as gh from '../app/github-flows.ts';
import { BOT, OWNER, REPO } from '../app/github-replies.ts';
import { alertPayload, commitAll, runOptions, writeSignal } from '../pipeline/helpers.ts';

export const PLANNED = new Date('2025-06-12T10:00:00Z');
export const PULL = 41;
export const PULL_URL = `https://github.com/${OWNER}/${REPO}/pull/${PULL}`;

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'GitHub',
  GIT_AUTHOR_EMAIL: 'noreply@github.com',
  GIT_COMMITTER_NAME: 'GitHub',
  GIT_COMMITTER_EMAIL: 'noreply@github.com',
  GIT_AUTHOR_DATE: '2025-06-12T10:20:00Z',
  GIT_COMMITTER_DATE: '2025-06-12T10:20:00Z',
};

export function git(dir: string, args: string[]): string {
  return gitRaw(dir, args).trim();
}

/** Output as git printed it (a file's bytes from `git show`). */
export function gitRaw(dir: string, args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { env: GIT_ENV, encoding: 'utf8' });
}

export interface MergedWorld {
  repo: PodinfoRepo;
  mergeSha: string;
  request: PublishRequest;
  /** The merged remediation's rendered change. */
  diff: RenderedDiff;
}

/** `salveYaml` extra lines go into .salve.yaml (e.g. followUp.revert). */
export async function mergedRemediation(salveYaml = ''): Promise<MergedWorld> {
  const repo = await makePodinfoRepo({ git: true });
  await writeFile(
    join(repo.dir, '.salve.yaml'),
    `environments:\n  - name: production\n    tier: production\n    clusters: [prod-cluster]\ntrust:\n  default: approve\n${salveYaml}`,
  );
  await commitAll(repo.dir, 'production environment');
  const oom = alertPayload([
    {
      alertname: 'KubePodCrashLooping',
      cluster: 'prod-cluster',
      namespace: 'production',
      pod: 'frontend-5d8f7c9b6d-x2x7q',
      container: 'frontend',
      reason: 'OOMKilled',
      severity: 'critical',
    },
  ]);
  const [o] = await runPlan(await runOptions(repo.dir, [await writeSignal(oom)], PLANNED));
  if (o?.result.kind !== 'publish' || !o.branch) throw new Error(`expected a published plan, got ${o?.result.kind}`);
  const request = o.result.request;
  // GitHub's merge: a commit with the PR's tree, main first, the branch second.
  const merge = git(repo.dir, [
    'commit-tree',
    `${o.branch}^{tree}`,
    '-p',
    'main',
    '-p',
    o.branch,
    '-m',
    `Merge pull request #${PULL} from ${OWNER}/${o.branch}`,
  ]);
  git(repo.dir, ['update-ref', 'refs/heads/main', merge]);
  return { repo, mergeSha: merge, request, diff: o.result.remediation.diff };
}

/** A full clone of the repo, as the App's checkout gives it (no working tree). */
export function localCheckout(dir: string): Checkout & { prepared: number; clone(): Promise<CheckoutResult> } {
  const checkout = {
    prepared: 0,
    prepare() {
      return checkout.clone();
    },
    async clone() {
      checkout.prepared++;
      const into = await mkdtemp(join(tmpdir(), 'salve-revert-checkout-'));
      git(into, ['clone', '-q', '--no-checkout', '--branch', 'main', dir, '.']);
      return {
        dir: into,
        baseCommit: git(into, ['rev-parse', 'HEAD']),
        baseBranch: 'main',
        cleanup: () => rm(into, { recursive: true, force: true }),
      };
    },
  };
  return checkout;
}

export function mergedPull(w: MergedWorld): MergedPull {
  return {
    number: PULL,
    node_id: `PR_${PULL}`,
    html_url: PULL_URL,
    state: 'closed',
    body: w.request.pr.body,
    title: w.request.pr.title,
    created_at: '2025-06-12T10:01:00Z',
    closed_at: '2025-06-12T10:20:00Z',
    merged_at: '2025-06-12T10:20:00Z',
    merge_commit_sha: w.mergeSha,
    head: { ref: w.request.branch, sha: 'c'.repeat(40) },
    labels: [{ name: 'salve' }],
    user: { login: BOT },
  };
}

export function jobOf(w: MergedWorld): FollowUpJob {
  const m = w.request.metadata;
  return {
    repo: { owner: OWNER, repo: REPO },
    pull: PULL,
    url: PULL_URL,
    mergeSha: w.mergeSha,
    headSha: 'c'.repeat(40),
    mergedAt: '2025-06-12T10:20:00Z',
    remediation: { id: m.id, fingerprint: m.fingerprint, action: m.action, target: m.target, overlay: m.overlay },
    slos: [],
    settings: { stabiliseMs: 600_000, syncTimeoutMs: 1_800_000, preWindowMs: 1_800_000, pollMs: 30_000 },
  };
}

/** The nock flow that opens the revert PR through the Git Data API; returns what GitHub received. */
export function openRevertFlow(scope: nock.Scope, req: PublishRequest, number: number) {
  const seen = { body: '', title: '', note: '' };
  gh.headLookup(scope, req.branch, []);
  gh.inventory(scope, []);
  gh.branchMissing(scope, req.branch);
  const sha = gh.commitFlow(scope, req, 'e'.repeat(40));
  gh.createRef(scope, req.branch, sha);
  scope
    .post(
      `${gh.REPO_PATH}/check-runs`,
      (b: { name: string; head_sha: string }) => b.name === 'salve/policy' && b.head_sha === sha,
    )
    .reply(201, { id: 4243 });
  scope
    .post(`${gh.REPO_PATH}/pulls`, (b: { head: string; base: string; title: string; body: string }) => {
      seen.body = b.body;
      seen.title = b.title;
      return b.head === req.branch && b.base === 'main';
    })
    .reply(201, {
      number,
      node_id: `PR_${number}`,
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${number}`,
      base: { sha: req.baseCommit },
    });
  gh.codeowners(scope, req.baseCommit, null);
  gh.addLabels(scope, number, ['salve', `salve/action:${req.metadata.action}`, `salve/mode:${req.metadata.mode}`]);
  approvalNote(scope, seen);
  return seen;
}

/** The merged PR is told where the revert a human must merge is: one comment, written once. */
export function approvalNote(scope: nock.Scope, seen: { note: string }, existing: string[] = []) {
  scope
    .get(`${gh.REPO_PATH}/issues/${PULL}/comments`)
    .query(true)
    .reply(
      200,
      existing.map((body, i) => ({ id: 900 + i, body, user: { login: BOT, type: 'Bot' } })),
    );
  if (existing.length === 0)
    scope
      .post(`${gh.REPO_PATH}/issues/${PULL}/comments`, (b: { body: string }) => {
        seen.note = b.body;
        return true;
      })
      .reply(201, { id: 900 });
}

/** A harmful outcome as the follow-up scores it, with hostile text where the cluster's text goes. */
export function harmfulOutcome(): Outcome {
  return {
    kind: 'harmful',
    score: { health: 1, alerts: 0, metrics: [{ slo: 'http', metric: 'latency', improvement: -1 }], overall: 0.5 },
    reasons: [
      'AnalysisRun frontend-7c9d-2 Failed: Metric "latency" assessed Failed <img src=x onerror=alert(1)> @acme/sre',
      'http latency 0.9 breaches its limit 0.5 (before: 0.2)',
    ],
    observation: {
      sync: {
        application: 'podinfo-production',
        settled: true,
        revision: 'f'.repeat(40),
        syncStatus: 'Synced',
        health: 'Healthy',
      },
      pods: { total: 2, ready: 2, restartsSinceSync: 0, oomsSinceSync: 0, failing: 0 },
      alerts: {
        firingAtMerge: ['KubePodCrashLooping'],
        stillFiring: ['KubePodCrashLooping'],
        newFiring: ['HighLatency <b>now</b>'],
      },
      slos: [{ slo: 'http', metric: 'latency', limit: 0.5, before: 0.2, after: 0.9 }],
      canaries: [
        {
          kind: 'AnalysisRun',
          name: 'frontend-7c9d-2',
          phase: 'Failed',
          failed: true,
          message: 'Metric "latency" assessed Failed',
        },
      ],
      gaps: [],
    },
    decidedAt: '2025-06-12T11:00:00.000Z',
  };
}
