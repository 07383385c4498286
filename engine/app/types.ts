/** Ports the App depends on. Everything here is injected; nothing is global. */
import type { SkippedAlert } from '../intake/types.ts';
import type { PlanResult } from '../model/remediation.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { Stages } from '../telemetry/stages.ts';

export type { Logger };

import type { RepoRef } from '../publish/github/types.ts';

export type { RepoRef };

export function repoKey(ref: RepoRef): string {
  return `${ref.owner}/${ref.repo}`;
}

export interface PlanContext {
  repo: RepoRef;
  checkoutDir: string;
  now: Date;
  /** Told about the alerts intake left out (unrecognised, missing a label, ...), to log and count them. */
  onSkipped?: (skipped: SkippedAlert[]) => void;
  /** Spans per pipeline stage under the run's span; absent: untraced. */
  stages?: Stages;
}

/** Turns one intake payload (an Alertmanager v4 body, possibly several merged) into plans. */
export interface Planner {
  plan(payload: unknown, ctx: PlanContext): Promise<PlanResult[]>;
}

export interface CheckoutResult {
  dir: string;
  baseCommit: string;
  baseBranch: string;
  cleanup(): Promise<void>;
}

/** Makes the config repo's default branch available on disk. */
export interface Checkout {
  prepare(repo: RepoRef, token: string): Promise<CheckoutResult>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
