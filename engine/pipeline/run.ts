/**
 * intake → perceive → plan → publish for a local checkout: what `salve plan` and the demo run.
 * Everything is read from HEAD's commit; uncommitted edits are ignored, and named in a warning.
 */
import { basename, join } from 'node:path';
import type { SalveConfig } from '../config/schema.ts';
import { type IntakeOptions, type IntakeResult, intakeSignalFile, type SkippedAlert } from '../intake/index.ts';
import { ConfigError, PolicyError } from '../model/errors.ts';
import type { Signal } from '../model/index.ts';
import type { OutcomeEntry } from '../model/policy.ts';
import type { ArgoApplication } from '../model/remediation.ts';
import { coalesce, type TelemetrySource } from '../perceive/index.ts';
import { buildBundle, loadEvaluator, type SigningKey } from '../policy/index.ts';
import {
  applicationsDigest,
  type BuildCache,
  type CommitIndex,
  type ConfigMemo,
  createBuildCache,
  createRenderStore,
  createScratch,
  discoverApplications,
  globMatcher,
  IN_CLUSTER_NAME,
  isInCluster,
  loadConfig,
  type NamesCache,
  openBlobSizes,
  openCommitIndex,
  openSnapshot,
  openWordHits,
  parentOf,
  type Snapshot,
} from '../repo/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import { bundlesDir, locateKustomize, type Tool } from '../tools/index.ts';
import { DEFAULT_POLICIES_DIR, DEFAULT_TEMPLATES_DIR, ENGINE_VERSION } from './assets.ts';
import type { PipelineContext } from './context.ts';
import { deliver, type Outcome, once, type PgpIdentity, type Signer } from './deliver.ts';
import { headOf, originUrl, uncommittedPaths } from './git.ts';
import { planIncident } from './plan.ts';
import { copyPolicies, copyTemplates } from './repo-assets.ts';
import { prometheusTelemetry } from './telemetry.ts';

export type { Outcome, PgpIdentity, Signer } from './deliver.ts';

export interface RunOptions {
  repoDir: string;
  signalFiles: string[];
  cluster?: string;
  signingKey: SigningKey;
  /** Signs the commit; needed only when a branch is written. */
  pgp?: PgpIdentity;
  author?: { name: string; email: string };
  /**
   * Loads and checks the commit signing identity (in place of `pgp` and `author`): started as the
   * run's first kustomize child starts, so its work overlaps the build, and always awaited before
   * the run writes anything or returns, so a bad key fails the run as it would up front.
   */
  signer?: () => Promise<Signer>;
  now: Date;
  log: Logger;
  /** Headers for the push (an Authorization header; never credentials in the URL). */
  pushHeaders?: Record<string, string>;
  /** Metric windows and logs per target, for perception. */
  telemetry?: TelemetrySource;
  /** kustomize with its limits (default: found on this machine, default limits). */
  kustomize?: Tool;
  /** The remote to push to (default: origin, when there is one); `push: false` commits locally only. */
  remote?: string;
  push?: boolean;
  /** Plan and decide, write nothing: no branch, no record, no cache under .git. */
  dryRun?: boolean;
  /**
   * Where builds of the base commit are kept across runs (`salve plan`: the user's cache), so a
   * plan on a base seen before runs kustomize only for its change. None by default.
   */
  rendersDir?: string;
  /** Where what resolution reads from a commit is kept across runs (`salve plan`: the user's cache). */
  indexDir?: string;
  /** Builds of base commits kept across runs, made by the caller (instead of `rendersDir`). */
  renders?: BuildCache;
  /** This run's builds, handed in when the caller builds the same overlays again (the dry run's rendered diff). */
  builds?: BuildCache;
  /** Follow-up outcomes of the repo's merged remediations, for trust earned from outcomes. */
  outcomes?: readonly OutcomeEntry[];
  /** `.salve.yaml` texts the caller already validated (the checkout's): the commit's, when the same, is not parsed again. */
  configs?: ConfigMemo;
}

export function policyDirs(repoDir: string, config: SalveConfig): string[] {
  return [DEFAULT_POLICIES_DIR, ...config.policies.map((p) => join(repoDir, p))];
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
export async function soleCluster(base: Pick<Base, 'applications'>): Promise<string | undefined> {
  const clusters = new Set(
    (await base.applications()).map((a) => (isInCluster(a.cluster) ? IN_CLUSTER_NAME : a.cluster)),
  );
  return clusters.size === 1 ? [...clusters][0] : undefined;
}

/** What a run plans on: HEAD's commit, read from git objects, and the `.salve.yaml` it holds. */
export interface Base {
  head: { commit: string; branch: string };
  snapshot: Snapshot;
  config: SalveConfig;
  /** The commit's Argo CD Applications, read on first use and then kept for the run. */
  applications: () => Promise<readonly ArgoApplication[]>;
  /** What resolution learnt of this commit in earlier runs, when kept (`indexDir`). */
  index?: CommitIndex;
  /** Keeps what this run learnt of the commit for the next (nothing without an index). */
  saveIndex(): Promise<void>;
}

/** `log` hears of Application files skipped (too large, linked out of the repository). */
export async function openBase(repoDir: string, log?: Logger, indexDir?: string, configs?: ConfigMemo): Promise<Base> {
  const head = await headOf(repoDir);
  // What is kept by blob id (sizes, search answers) holds in any commit: lists and searches pay for new blobs only.
  const hits = indexDir ? openWordHits(indexDir) : undefined;
  const sizes = indexDir ? openBlobSizes(indexDir) : undefined;
  const snapshot = await openSnapshot(repoDir, head.commit, {
    prefetch: !indexDir,
    ...(hits ? { hits } : {}),
    ...(sizes ? { sizes } : {}),
  });
  const { config } = await loadConfig(snapshot, configs);
  const index = indexDir ? await openIndex(indexDir, snapshot, config, log) : undefined;
  // A commit resolution has seen reads what this plan reads; any other reads its files in one go.
  if (indexDir && !(index?.applications && index.names.size > 0)) await snapshot.prefetch();
  let read: Promise<readonly ArgoApplication[]> | null = index?.applications
    ? Promise.resolve(index.applications)
    : null;
  const applications = () => {
    read ??= discoverApplications(snapshot, config, log ? { log } : {});
    return read;
  };
  const saveIndex = async () => {
    if (index) index.save(read ? await read.catch(() => null) : null);
    hits?.save();
    sizes?.save();
  };
  return { head, snapshot, config, applications, ...(index ? { index } : {}), saveIndex };
}

async function openIndex(
  dir: string,
  snapshot: Snapshot,
  config: SalveConfig,
  log?: Logger,
): Promise<CommitIndex | undefined> {
  try {
    return openCommitIndex(dir, { commit: snapshot.commit, applications: await applicationsDigest(snapshot, config) });
  } catch (err) {
    log?.debug({ dir, err: (err as Error).message }, 'commit index not used');
    return undefined;
  }
}

/** The render store in `dir`, or none (logged) when it cannot be opened: a slower run, not a failed one. */
/** Renders kept across runs; a dry run answers from them and keeps nothing new. */
export function keptRenders(
  dir: string,
  opts: Pick<RunOptions, 'kustomize' | 'log' | 'dryRun'>,
): BuildCache | undefined {
  try {
    return createRenderStore({ dir, kustomize: opts.kustomize ?? locateKustomize(), readOnly: opts.dryRun ?? false });
  } catch (err) {
    opts.log.debug({ dir, err: (err as Error).message }, 'render store not used');
    return undefined;
  }
}

/** What a run needs of its commit beyond the Base: the compiled policy, the repo's templates copied out. */
export interface CommitAssets {
  policy: PipelineContext['policy'];
  /** Template directories, first match wins: the config repo's (copied from the commit), then salve's. */
  templateDirs: string[];
  /** Removes the scratch directory holding the repo's templates and policies. */
  dispose(): Promise<void>;
}

export type PrepareOptions = Pick<
  RunOptions,
  'signingKey' | 'now' | 'log' | 'kustomize' | 'dryRun' | 'rendersDir' | 'builds'
> & {
  bundlesDir?: string;
  /** Builds kept across runs (the server's), keyed by what they read. */
  renders?: BuildCache;
  /** Overlay names for resolution kept across runs (the server's), keyed by what each overlay reads. */
  overlayNames?: NamesCache;
  /** Called as each kustomize child of the run's builds starts (BuildCache.started). */
  started?: () => void;
};

/** The commit's policies compiled and loaded, its templates copied out of it; `dispose()` them when done. */
export async function prepareAssets(
  base: Pick<Base, 'snapshot' | 'config'>,
  opts: Pick<PrepareOptions, 'dryRun' | 'bundlesDir'>,
): Promise<CommitAssets> {
  const { snapshot, config } = base;
  const scratch = await createScratch('salve-run-');
  try {
    const policies = await copyPolicies(snapshot, config.policies, scratch);
    const templates = await copyTemplates(snapshot, scratch);
    const bundle = await buildBundle(
      [DEFAULT_POLICIES_DIR, ...policies],
      // A dry run reads a bundle compiled by an earlier run and writes none.
      { cacheDir: opts.bundlesDir ?? bundlesDir(), ...(opts.dryRun ? { readOnly: true } : {}) },
    ).catch((err: unknown) => {
      // With the repo's own policies in the build, a failure is the repo's to fix: exit 2, naming
      // its files by their paths in the repo, not in the scratch copy.
      if (!(err instanceof PolicyError) || policies.length === 0) throw err;
      throw new ConfigError(err.message.split(`${scratch.dir}/`).join(''), { code: 'bad-policy', cause: err });
    });
    const evaluator = await loadEvaluator(bundle);
    // The policies' copies served the build; only the repo's templates are read again, when it has some.
    if (!templates) await scratch.cleanup();
    return {
      policy: { bundle, evaluator },
      templateDirs: templates ? [templates, DEFAULT_TEMPLATES_DIR] : [DEFAULT_TEMPLATES_DIR],
      dispose: templates ? () => scratch.cleanup() : async () => {},
    };
  } catch (err) {
    await scratch.cleanup();
    throw err;
  }
}

/** One run's context on `base` with its commit's `assets`; its `dispose()` is the assets'. */
export async function contextOn(
  repoDir: string,
  base: Base,
  assets: CommitAssets,
  opts: PrepareOptions,
): Promise<PipelineContext> {
  const { head, snapshot, config, applications, index } = base;
  const kept = opts.renders ?? (opts.rendersDir ? keptRenders(opts.rendersDir, opts) : undefined);
  const renders = kept && opts.started ? { ...kept, started: opts.started } : kept;
  return {
    repoDir,
    snapshot,
    repoName: (await originUrl(repoDir)) ?? basename(repoDir),
    config,
    baseCommit: head.commit,
    baseBranch: head.branch,
    policy: assets.policy,
    signingKey: opts.signingKey,
    builds: opts.builds ?? createBuildCache(opts.started ? { started: opts.started } : {}),
    applications,
    ...(renders ? { renders } : {}),
    ...(opts.overlayNames ? { overlayNames: opts.overlayNames } : {}),
    ...(index ? { commitNames: index.names } : {}),
    ...(opts.kustomize ? { kustomize: opts.kustomize } : {}),
    templateDirs: assets.templateDirs,
    now: opts.now,
    log: opts.log,
    engineVersion: ENGINE_VERSION,
    dispose: assets.dispose,
  };
}

/** The context of one run on the checkout's HEAD commit (or the base given); `dispose()` it when done. */
export async function prepareContext(repoDir: string, opts: PrepareOptions, base?: Base): Promise<PipelineContext> {
  const on = base ?? (await openBase(repoDir));
  const assets = await prepareAssets(on, opts);
  try {
    return await contextOn(repoDir, on, assets, opts);
  } catch (err) {
    await assets.dispose();
    throw err;
  }
}

/** Of the uncommitted paths in the working tree, those the run read (or would have read) from the commit. */
function ignoredEdits(ctx: PipelineContext, dirty: readonly string[]): string[] {
  if (dirty.length === 0) return [];
  const { lookedUp, listed } = ctx.snapshot;
  const application = globMatcher(ctx.config.applications);
  return dirty.filter(
    (p) =>
      lookedUp.has(p) ||
      listed.has(parentOf(p)) ||
      (/\.ya?ml$/.test(p) && application(p)) ||
      p === '.salve.yaml' ||
      p === '.salve.yml' ||
      p.startsWith('.salve/') ||
      ctx.config.policies.some((dir) => p.startsWith(`${dir.replace(/\/+$/, '')}/`)),
  );
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
  const signer = opts.signer ? once(opts.signer) : undefined;
  const run = await planOn(opts, signer);
  if (signer) await signer();
  return run;
}

async function planOn(opts: RunOptions, signer: (() => Promise<Signer>) | undefined): Promise<PlanRun> {
  // The config repo says how to read alerts (its `alerts:` mapping) and, with one cluster, which one.
  const base = await openBase(opts.repoDir, opts.log, opts.dryRun ? undefined : opts.indexDir, opts.configs);
  const cluster = opts.cluster ?? (await soleCluster(base));
  const { signals, skipped } = await readSignals(opts.signalFiles, {
    ...(cluster ? { cluster } : {}),
    now: opts.now,
    alerts: base.config.alerts,
  });
  for (const s of skipped) opts.log.info({ alertname: s.alertname, reason: s.reason }, 'alert skipped');
  const firstPass = coalesce(signals, { now: opts.now, ...(opts.telemetry ? { telemetry: opts.telemetry } : {}) });
  if (firstPass.length === 0) {
    opts.log.info({ signals: signals.length, skipped: skipped.length, incidents: 0 }, 'perceived');
    return { outcomes: [], skipped };
  }
  // What is uncommitted is asked while planning runs; the answer is only needed for the warning.
  const dirty = uncommittedPaths(opts.repoDir);
  const started = signer ? () => void signer() : undefined;
  const prepared = await prepareContext(opts.repoDir, { ...opts, ...(started ? { started } : {}) }, base);
  const ctx: PipelineContext = opts.outcomes ? { ...prepared, outcomes: opts.outcomes } : prepared;
  try {
    // Without telemetry handed in, read the targets' metric windows from the config's Prometheus.
    const fromPrometheus = opts.telemetry
      ? undefined
      : await prometheusTelemetry(
          firstPass.map((i) => i.target),
          ctx.config,
          opts,
        );
    const incidents = fromPrometheus ? coalesce(signals, { now: opts.now, telemetry: fromPrometheus }) : firstPass;
    opts.log.info({ signals: signals.length, skipped: skipped.length, incidents: incidents.length }, 'perceived');
    const outcomes: Outcome[] = [];
    for (const incident of incidents) {
      const result = await planIncident(incident, ctx);
      outcomes.push(await deliver(result, ctx, opts, signer));
    }
    return { outcomes, skipped };
  } finally {
    warnIgnored(ctx, await dirty);
    await base.saveIndex();
    await prepared.dispose();
    base.snapshot.close();
  }
}

function warnIgnored(ctx: PipelineContext, dirty: readonly string[]): void {
  const files = ignoredEdits(ctx, dirty);
  if (files.length === 0) return;
  ctx.log.warn(
    { commit: ctx.baseCommit, files },
    'planned from the committed files; uncommitted changes to these files were ignored',
  );
}
