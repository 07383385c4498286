/** Everything a pipeline run needs, passed explicitly: no globals, no env reads below the entry points. */

import type { SalveConfig } from '../config/schema.ts';
import type { PolicyBundle, PolicyEvaluator, SigningKey } from '../policy/index.ts';
import type { BuildCache } from '../repo/index.ts';
import type { Logger } from '../telemetry/logger.ts';

export interface PipelineContext {
  /** Absolute path of the config repo checkout. */
  repoDir: string;
  /** What the proof names as the repo: the remote URL without credentials, or the directory name. */
  repoName: string;
  config: SalveConfig;
  baseCommit: string;
  baseBranch: string;
  policy: { bundle: PolicyBundle; evaluator: PolicyEvaluator };
  signingKey: SigningKey;
  builds: BuildCache;
  /** Template directories, first match wins: the config repo's `.salve/templates`, then salve's. */
  templateDirs: string[];
  now: Date;
  log: Logger;
  engineVersion: string;
}
