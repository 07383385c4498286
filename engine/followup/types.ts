/** What the follow-up of one merged remediation knows, observes and concludes. Plain data throughout. */
import type { Slo } from '../config/schema.ts';
import type { Target } from '../model/index.ts';
import type { RepoRef } from '../publish/github/types.ts';

export type OutcomeKind = 'effective' | 'ineffective' | 'harmful' | 'inconclusive';

/** One merged salve PR to follow. Everything a later step needs is here: it survives a restart. */
export interface FollowUpJob {
  repo: RepoRef;
  pull: number;
  url: string;
  /** The merge commit on the base branch (what Argo CD must report, or a descendant of it). */
  mergeSha: string;
  /** The PR's head: where the `salve/outcome` check run goes. */
  headSha: string;
  mergedAt: string;
  remediation: { id: string; fingerprint: string; action: string; target: Target; overlay: string };
  /** The config repo's SLOs and follow-up settings at merge: later edits do not move the goalposts. */
  slos: Slo[];
  settings: { stabiliseMs: number; syncTimeoutMs: number; preWindowMs: number; pollMs: number };
  /** Alerts about the target that were firing when the PR merged: the symptom to see resolved. */
  firingAtMerge?: string[];
  /** Set once Argo CD reports the merge synced and its health settled. */
  syncedAt?: string;
  syncedRevision?: string;
}

export interface SyncView {
  application: string | null;
  /** The merge commit (or a descendant) is synced and health is no longer Progressing. */
  settled: boolean;
  revision: string | null;
  syncStatus: string | null;
  health: string | null;
  message?: string;
}

export interface PodView {
  total: number;
  ready: number;
  /** Container restarts and OOM kills whose time is after the sync. */
  restartsSinceSync: number;
  oomsSinceSync: number;
  /** Pods with a container waiting in CrashLoopBackOff, ImagePullBackOff or ErrImagePull. */
  failing: number;
}

export interface AlertView {
  firingAtMerge: string[];
  stillFiring: string[];
  /** Alerts about the target firing now that were not firing at merge: the change made things worse. */
  newFiring: string[];
}

export interface SloView {
  slo: string;
  metric: 'error-rate' | 'latency';
  limit: number;
  before: number | null;
  after: number | null;
}

/** An Argo Rollouts canary (or a Flagger Canary) that carried the change. */
export interface CanaryView {
  kind: 'AnalysisRun' | 'Rollout' | 'Canary';
  name: string;
  phase: string;
  failed: boolean;
  message?: string;
}

export interface Observation {
  sync: SyncView;
  /** null when the cluster could not be read. */
  pods: PodView | null;
  alerts: AlertView | null;
  slos: SloView[];
  canaries: CanaryView[];
  /** What could not be read, named (an unreachable Prometheus, a missing Application...). */
  gaps: string[];
}

export interface Score {
  /** 0..1: ready pods, minus restarts and OOM kills since the sync. */
  health: number;
  /** 0..1: share of the alerts firing at merge that resolved; null when none were firing or unknown. */
  alerts: number | null;
  /** -1..1 per SLO query: (before - after) / before, clamped; lower is better for both metrics. */
  metrics: Array<{ slo: string; metric: string; improvement: number }>;
  /** 0..1, for display and trends: 0.5 health, 0.25 alerts, 0.25 metrics (missing parts re-weighted). */
  overall: number;
}

export interface Outcome {
  kind: OutcomeKind;
  score: Score;
  /** Why, one line each, in the order the rules fired; the first decided the kind. */
  reasons: string[];
  observation: Observation;
  decidedAt: string;
}
