/** intake → perceive → plan → publish for a local checkout: what `salve plan` and the demo run. */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { SalveConfig } from '../config/schema.ts';
import { parseSignalFile } from '../intake/index.ts';
import { ConfigError, type Signal } from '../model/index.ts';
import type { PlanResult } from '../model/remediation.ts';
import { coalesce } from '../perceive/index.ts';
import { buildBundle, loadEvaluator, type SigningKey } from '../policy/index.ts';
import { publishLocal, recordObservation } from '../publish/index.ts';
import { createBuildCache, loadConfig } from '../repo/index.ts';
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
  /** Signs the commit; needed only when a branch is written. */
  pgp?: PgpIdentity;
  author?: { name: string; email: string };
  now: Date;
  log: Logger;
  /** Headers for the push (an Authorization header; never credentials in the URL). */
  pushHeaders?: Record<string, string>;
  /** The remote to push to (default: origin, when there is one); `push: false` commits locally only. */
  remote?: string;
  push?: boolean;
  /** Plan and decide, write nothing: no branch, no record, no cache under .git. */
  dryRun?: boolean;
}

export interface Outcome {
  result: PlanResult;
  branch: string | null;
  commit: string | null;
  pushed: boolean;
  unchanged: boolean;
  /** Why the branch was left alone (a commit salve did not make), or null. */
  frozen: string | null;
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
  const all: Signal[] = [];
  for (const file of files) all.push(...(await parseSignalFile(file, { ...(cluster ? { cluster } : {}), now })));
  return all;
}

export async function prepareContext(
  repoDir: string,
  opts: Pick<RunOptions, 'signingKey' | 'now' | 'log' | 'dryRun'>,
): Promise<PipelineContext> {
  const { config } = await loadConfig(repoDir);
  const head = await headOf(repoDir);
  const bundle = await buildBundle(
    policyDirs(repoDir, config),
    opts.dryRun ? {} : { cacheDir: join(repoDir, '.git', 'salve', 'bundles') },
  );
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

export async function runPlan(opts: RunOptions): Promise<Outcome[]> {
  const signals = await loadSignals(opts.signalFiles, opts.cluster, opts.now);
  const incidents = coalesce(signals, { now: opts.now });
  opts.log.info({ signals: signals.length, incidents: incidents.length }, 'perceived');
  if (incidents.length === 0) return [];
  const ctx = await prepareContext(opts.repoDir, opts);
  const outcomes: Outcome[] = [];
  for (const incident of incidents) {
    const result = await planIncident(incident, ctx);
    outcomes.push(await deliver(result, ctx, opts));
  }
  return outcomes;
}

async function deliver(result: PlanResult, ctx: PipelineContext, opts: RunOptions): Promise<Outcome> {
  const empty = { branch: null, commit: null, pushed: false, unchanged: false, frozen: null, observation: null };
  if (opts.dryRun) return { result, ...empty };
  if (result.kind === 'observe') {
    const path = await recordObservation(ctx.repoDir, {
      id: result.remediation.id,
      explanation: result.explanation,
      decision: result.remediation.decision,
    });
    return { result, ...empty, observation: path };
  }
  if (result.kind !== 'publish') return { result, ...empty };
  if (!opts.pgp)
    throw new ConfigError('no commit signing key: set SALVE_GPG_PRIVATE_KEY or SALVE_GPG_PRIVATE_KEY_FILE');
  const published = await publishLocal(result.request, {
    dir: ctx.repoDir,
    author: opts.author ?? { name: 'salve', email: 'salve@localhost' },
    signing: opts.pgp,
    ...(opts.remote ? { remote: opts.remote } : {}),
    ...(opts.push === false ? { push: false } : {}),
    ...(opts.pushHeaders ? { headers: opts.pushHeaders } : {}),
    now: opts.now,
  });
  return { result, ...published, observation: null };
}
