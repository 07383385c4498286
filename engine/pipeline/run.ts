/** intake → perceive → plan → publish for a local checkout: what `salve plan` and the demo run. */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { SalveConfig } from '../config/schema.ts';
import { parseSignalFile } from '../intake/index.ts';
import type { Signal } from '../model/index.ts';
import type { OutcomeEntry } from '../model/policy.ts';
import type { PlanResult } from '../model/remediation.ts';
import { coalesce, type TelemetrySource } from '../perceive/index.ts';
import { buildBundle, loadEvaluator, type SigningKey } from '../policy/index.ts';
import { publishLocal, recordObservation } from '../publish/index.ts';
import { createBuildCache, loadConfig } from '../repo/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import { DEFAULT_POLICIES_DIR, DEFAULT_TEMPLATES_DIR, ENGINE_VERSION } from './assets.ts';
import type { PipelineContext } from './context.ts';
import { headOf, originUrl } from './git.ts';
import { planIncident } from './plan.ts';
import { prometheusTelemetry } from './telemetry.ts';

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
  /** Metric windows and logs per target, for perception. */
  telemetry?: TelemetrySource;
  /** Follow-up outcomes of the repo's merged remediations, for trust earned from outcomes. */
  outcomes?: readonly OutcomeEntry[];
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
  const all: Signal[] = [];
  for (const file of files) all.push(...(await parseSignalFile(file, { ...(cluster ? { cluster } : {}), now })));
  return all;
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

export async function runPlan(opts: RunOptions): Promise<Outcome[]> {
  const signals = await loadSignals(opts.signalFiles, opts.cluster, opts.now);
  const firstPass = coalesce(signals, { now: opts.now, ...(opts.telemetry ? { telemetry: opts.telemetry } : {}) });
  if (firstPass.length === 0) {
    opts.log.info({ signals: signals.length, incidents: 0 }, 'perceived');
    return [];
  }
  const prepared = await prepareContext(opts.repoDir, opts);
  const ctx = opts.outcomes ? { ...prepared, outcomes: opts.outcomes } : prepared;
  // Without telemetry handed in, read the targets' metric windows from the config's Prometheus.
  const fromPrometheus = opts.telemetry
    ? undefined
    : await prometheusTelemetry(
        firstPass.map((i) => i.target),
        ctx.config,
        opts,
      );
  const incidents = fromPrometheus ? coalesce(signals, { now: opts.now, telemetry: fromPrometheus }) : firstPass;
  opts.log.info({ signals: signals.length, incidents: incidents.length }, 'perceived');
  const outcomes: Outcome[] = [];
  for (const incident of incidents) {
    const result = await planIncident(incident, ctx);
    outcomes.push(await deliver(result, ctx, opts));
  }
  return outcomes;
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
