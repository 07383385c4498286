/** Everything a pipeline run needs, passed explicitly: no globals, no env reads below the entry points. */

import type { SalveConfig } from '../config/schema.ts';
import type { OutcomeEntry } from '../model/policy.ts';
import type { ArgoApplication } from '../model/remediation.ts';
import type { PolicyBundle, PolicyEvaluator, SigningKey } from '../policy/index.ts';
import type { BuildCache, KeptNames, NamesCache, Snapshot } from '../repo/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { Stages } from '../telemetry/stages.ts';
import type { Tool } from '../tools/index.ts';

/**
 * The cluster's view of a Rollout that took over a Deployment (workloadRef): `live` once it runs
 * the Deployment's pods, `pending` while it is not there yet, `unknown` without cluster access.
 * A fix to a Deployment under a Rollout waits for `live`: before that, the fix would ride the
 * Rollout's first revision, which skips the canary steps.
 */
export interface RolloutLiveness {
  status(ref: { cluster: string; namespace: string; name: string }): Promise<'live' | 'pending' | 'unknown'>;
}

/** Results worked out from the commit alone, kept with it across runs (the server's), by a key naming what was asked. */
export interface CommitMemo {
  once<T>(key: string, make: () => Promise<T>): Promise<T>;
}

export interface PipelineContext {
  /** Absolute path of the config repo checkout (its git directory is what is read and written). */
  repoDir: string;
  /** The config repo at `baseCommit`: every file a plan reads comes from here, never the working tree. */
  snapshot: Snapshot;
  /** What the proof names as the repo: the remote URL without credentials, or the directory name. */
  repoName: string;
  config: SalveConfig;
  baseCommit: string;
  baseBranch: string;
  policy: { bundle: PolicyBundle; evaluator: PolicyEvaluator };
  signingKey: SigningKey;
  builds: BuildCache;
  /**
   * Builds of the commit's own overlays kept beyond this run (the server's, across incidents):
   * resolution and the "before" build. A remediation's "after" build is never taken from it.
   */
  renders?: BuildCache;
  /** Names read from overlays' files for resolution, kept like `renders` (by what each overlay reads). */
  overlayNames?: NamesCache;
  /** Names by overlay, kept across runs and commits (the commit index of `salve plan`). */
  commitNames?: Map<string, KeptNames>;
  /** The commit's Argo CD Applications, read once per run (absent: each resolution reads them). */
  applications?: () => Promise<readonly ArgoApplication[]>;
  /** kustomize, with its limits; default: the one found on this machine, default limits. */
  kustomize?: Tool;
  /** Template directories, first match wins: the config repo's (copied from the commit), then salve's. */
  templateDirs: string[];
  now: Date;
  log: Logger;
  engineVersion: string;
  /** Follow-up outcomes of the repo's merged remediations (engine/followup), for trust.earn. */
  outcomes?: readonly OutcomeEntry[];
  /** Read-only cluster access for the live Rollout check; absent: `unknown`, and the PR says so. */
  rollouts?: RolloutLiveness;
  /** What earlier runs on this commit worked out from it alone (absent: everything is worked out again). */
  memo?: CommitMemo;
  /** Spans per stage (render, check, govern) under the run's; absent: untraced. */
  stages?: Stages;
  /** Removes the run's scratch directory (the repo's templates and policies, copied out of the commit). */
  dispose(): Promise<void>;
}
