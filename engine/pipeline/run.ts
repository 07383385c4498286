/** intake → perceive → plan → publish for a local checkout: what `salve plan` and the demo run. */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { SalveConfig } from '../config/schema.ts';
import { type IntakeOptions, type IntakeResult, intakeSignalFile, type SkippedAlert } from '../intake/index.ts';
import type { Signal } from '../model/index.ts';
import type { PlanResult } from '../model/remediation.ts';
import { coalesce } from '../perceive/index.ts';
import { buildBundle, loadEvaluator, type SigningKey } from '../policy/index.ts';
import { publishLocal, recordObservation } from '../publish/index.ts';
import { createBuildCache, discoverApplications, IN_CLUSTER_NAME, isInCluster, loadConfig } from '../repo/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import { DEFAULT_POLICIES_DIR, DEFAULT_TEMPLATES_DIR, ENGINE_VERSION } from './assets.ts';
import type { PipelineContext } from './context.ts';
import { headOf, originUrl } from './git.ts';
import { planIncident } from './plan.ts';

export interface PgpIdentity {
  armoredPrivateKey: string;
  passphrase?: string;
}

export interface RunOptions {
  repoDir: string;
  signalFiles: string[];
  cluster?: string;
  signingKey: SigningKey;
  pgp: PgpIdentity;
  author?: { name: string; email: string };
  now: Date;
  log: Logger;
  /** Headers for the push (an Authorization header; never credentials in the URL). */
  pushHeaders?: Record<string, string>;
}

export interface Outcome {
  result: PlanResult;
  branch: string | null;
  commit: string | null;
  pushed: boolean;
  unchanged: boolean;
  observation: string | null;
}

export function policyDirs(repoDir: string, config: SalveConfig): string[] {
  return [DEFAULT_POLICIES_DIR, ...config.policies.map((p) => join(repoDir, p))];
}

export function templateDirs(repoDir: string): string[] {
  const own = join(repoDir, '.salve', 'templates');
  return existsSync(own) ? [own, DEFAULT_TEMPLATES_DIR] : [DEFAULT_TEMPLATES_DIR];
}

export async function loadSignals(files: string[], cluster: string | undefined, now: Date): Promise<Signal[]> {
  return (await readSignals(files, { ...(cluster ? { cluster } : {}), now })).signals;
}

/** Every signal the files hold, and every alert they skipped with the reason. */
export async function readSignals(files: string[], opts: Omit<IntakeOptions, 'source'>): Promise<IntakeResult> {
  const all: IntakeResult = { signals: [], skipped: [] };
  for (const file of files) {
    const { signals, skipped } = await intakeSignalFile(file, opts);
    all.signals.push(...signals);
    all.skipped.push(...skipped);
  }
  return all;
}

/**
 * The cluster signals that name none belong to, when the config repo deploys to one cluster only
 * (Argo CD's two names for the in-cluster destination count as one); else undefined.
 */
export async function soleCluster(repoDir: string, config: SalveConfig): Promise<string | undefined> {
  const clusters = new Set(
    (await discoverApplications(repoDir, config)).map((a) => (isInCluster(a.cluster) ? IN_CLUSTER_NAME : a.cluster)),
  );
  return clusters.size === 1 ? [...clusters][0] : undefined;
}

export async function prepareContext(
  repoDir: string,
  opts: Pick<RunOptions, 'signingKey' | 'now' | 'log'>,
): Promise<PipelineContext> {
  const { config } = await loadConfig(repoDir);
  const head = await headOf(repoDir);
  const bundle = await buildBundle(policyDirs(repoDir, config), {
    cacheDir: join(repoDir, '.git', 'salve', 'bundles'),
  });
  const evaluator = await loadEvaluator(bundle);
  return {
    repoDir,
    repoName: (await originUrl(repoDir)) ?? basename(repoDir),
    config,
    baseCommit: head.commit,
    baseBranch: head.branch,
    policy: { bundle, evaluator },
    signingKey: opts.signingKey,
    builds: createBuildCache(),
    templateDirs: templateDirs(repoDir),
    now: opts.now,
    log: opts.log,
    engineVersion: ENGINE_VERSION,
  };
}

/** What one `salve plan` run did: an outcome per incident, and the alerts it skipped and why. */
export interface PlanRun {
  outcomes: Outcome[];
  skipped: SkippedAlert[];
}

export async function runPlan(opts: RunOptions): Promise<Outcome[]> {
  return (await planSignals(opts)).outcomes;
}

export async function planSignals(opts: RunOptions): Promise<PlanRun> {
  // The config repo says how to read alerts (its `alerts:` mapping) and, with one cluster, which one.
  const { config } = await loadConfig(opts.repoDir);
  const cluster = opts.cluster ?? (await soleCluster(opts.repoDir, config));
  const { signals, skipped } = await readSignals(opts.signalFiles, {
    ...(cluster ? { cluster } : {}),
    now: opts.now,
    alerts: config.alerts,
  });
  for (const s of skipped) opts.log.info({ alertname: s.alertname, reason: s.reason }, 'alert skipped');
  const incidents = coalesce(signals, { now: opts.now });
  opts.log.info({ signals: signals.length, skipped: skipped.length, incidents: incidents.length }, 'perceived');
  if (incidents.length === 0) return { outcomes: [], skipped };
  const ctx = await prepareContext(opts.repoDir, opts);
  const outcomes: Outcome[] = [];
  for (const incident of incidents) {
    const result = await planIncident(incident, ctx);
    outcomes.push(await deliver(result, ctx, opts));
  }
  return { outcomes, skipped };
}

async function deliver(result: PlanResult, ctx: PipelineContext, opts: RunOptions): Promise<Outcome> {
  const empty = { branch: null, commit: null, pushed: false, unchanged: false, observation: null };
  if (result.kind === 'observe') {
    const path = await recordObservation(ctx.repoDir, {
      id: result.remediation.id,
      explanation: result.explanation,
      decision: result.remediation.decision,
    });
    return { result, ...empty, observation: path };
  }
  if (result.kind !== 'publish') return { result, ...empty };
  const hasOrigin = (await originUrl(ctx.repoDir)) !== null;
  const published = await publishLocal(result.request, {
    dir: ctx.repoDir,
    author: opts.author ?? { name: 'salve', email: 'salve@localhost' },
    signing: opts.pgp,
    ...(hasOrigin ? { remote: 'origin' } : {}),
    ...(opts.pushHeaders ? { headers: opts.pushHeaders } : {}),
    now: opts.now,
  });
  return { result, ...published, observation: null };
}
