/** What the pipeline hands between stages after perception: plans, remediations, bundles to publish. */
import type { FileChange, Incident, Mode, PolicyDecision, RenderedDiff, Target } from './index.ts';
import type { Exposure } from './policy.ts';

/** A Kubernetes object as kustomize renders it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** One field an action declares it will change; `check` accepts nothing else. */
export interface DeclaredEffect {
  kind: string;
  name: string;
  namespace?: string;
  /** JSON pointer with named list items, e.g. `/spec/template/spec/containers[name=app]/resources/limits/memory`. */
  path: string;
  after: unknown;
}

/**
 * A whole object an action declares it will add (exposure objects: Rollout, AnalysisTemplate), or
 * remove (a revert takes away what the change it reverts added).
 */
export interface DeclaredObject {
  op: 'add' | 'remove';
  kind: string;
  name: string;
  namespace?: string;
}

export interface ArgoApplication {
  name: string;
  /** Repo-relative file that declares it. */
  file: string;
  /** Destination name, or server URL when no name is given. */
  cluster: string;
  namespace: string;
  /** Repo-relative overlay directory (spec.source.path). */
  path: string;
  repoURL: string;
  /** `spec.syncPolicy`: whether Argo CD syncs by itself, and whether it then prunes what git no longer has. */
  sync?: ApplicationSync;
}

export interface ApplicationSync {
  automated: boolean;
  prune: boolean;
}

export interface EnvironmentRef {
  name: string;
  tier: string;
  /** Set when no `.salve.yaml` environment names the cluster: what the name and tier were guessed from. */
  guessedFrom?: string;
}

export interface OverlayResolution {
  /** Repo-relative overlay directory. */
  overlay: string;
  application: ArgoApplication;
  environment: EnvironmentRef;
  /** Every overlay that was looked at, for error messages and the explanation. */
  considered: string[];
}

export interface ActionSummary {
  id: string;
  family: string;
  disruption: number;
  params: Record<string, unknown>;
  /** One line a human reads: "raise memory limit of backend/app from 256Mi to 384Mi". */
  summary: string;
  /** Why this action over others (the lattice's reasoning), in sentences. */
  rationale: string[];
}

/** A remediation, planned, rendered, checked and governed: everything the explanation and publish need. */
export interface Remediation {
  /** `<short-fingerprint>-<action>`: stable across recurrences of one incident. */
  id: string;
  branch: string;
  incident: Incident;
  action: ActionSummary;
  target: Target & { container?: string };
  overlay: string;
  application: string;
  /** The Application's sync policy, for what a revert does (absent on records made before it was kept). */
  sync?: ApplicationSync;
  environment: EnvironmentRef;
  baseCommit: string;
  files: FileChange[];
  diff: RenderedDiff;
  decision: PolicyDecision;
  /** The canary the change ships under, when policy asked for one (as recorded in the proof's input). */
  exposure?: Exposure;
  /**
   * What a reviewer should know about how the change was written, one sentence each (a comment
   * dropped because it described the value this change replaces). Shown in the explanation.
   */
  notes?: string[];
  /** sha256 of the DSSE envelope bytes as committed. */
  proofDigest: string;
  bundleDigest: string;
}

export interface PullRequestContent {
  title: string;
  body: string;
  labels: string[];
}

/** Hidden, versioned metadata in the PR body: `<!-- salve:metadata {...} -->`. */
export interface PrMetadata {
  version: 1;
  id: string;
  fingerprint: string;
  action: string;
  mode: Mode;
  target: Target;
  overlay: string;
  baseCommit: string;
  proofDigest: string;
  occurrences: number;
  lastSeen: string;
}

/** What a publisher (local git or GitHub) receives: one branch, one commit, one PR. */
export interface PublishRequest {
  id: string;
  branch: string;
  baseCommit: string;
  /** Base branch name the PR targets (e.g. main). */
  baseBranch: string;
  /** All files of the commit: the overlay change and `.salve/remediations/<id>/*`. */
  files: FileChange[];
  commitMessage: string;
  pr: PullRequestContent;
  metadata: PrMetadata;
}

/** The cluster runs an image git does not render for the failing container: reported, never changed. */
export interface DriftFinding {
  target: Target & { container: string };
  overlay: string;
  application: string;
  /** What the signal says the failing container runs. */
  failingImage: string;
  /** What git renders for that container at the base commit. */
  renderedImage: string;
  /** Where git sets it: `file:line (...)`. */
  gitSetsItIn: string;
  /** Which signal reported the failing image. */
  evidenceSource: string;
  /** One paragraph for humans. */
  summary: string;
}

/** What planning one incident produced. The CLI prints it; the App publishes it. */
export type PlanResult =
  | { kind: 'drift'; incident: Incident; drift: DriftFinding }
  | { kind: 'publish'; remediation: Remediation; request: PublishRequest }
  | { kind: 'observe'; remediation: Remediation; explanation: string; reason: string }
  | { kind: 'denied'; remediation: Remediation; explanation: string }
  | { kind: 'none'; reason: string };
