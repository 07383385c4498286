/** The action contract: one folder per action, registered explicitly in registry.ts. */
import type { SalveConfig } from '../config/schema.ts';
import type { ActionFamily, FileChange, Incident, SignalKind } from '../model/index.ts';
import type { DeclaredEffect, DeclaredObject, K8sObject, OverlayResolution } from '../model/remediation.ts';
import type { RepoTree } from '../repo/tree.ts';

/** What an action sees of the config repo: the resolved overlay, its rendered objects, its files. */
export interface RepoView {
  /** Absolute path of the config repo checkout. */
  readonly dir: string;
  /** The repo's files at the base commit: what to list and read instead of `dir`'s working tree. */
  readonly tree?: RepoTree;
  readonly config: SalveConfig;
  readonly resolution: OverlayResolution;
  /** The overlay rendered at the base commit. */
  readonly objects: readonly K8sObject[];
  /** Repo-relative path of the overlay's kustomization file. */
  readonly kustomizationPath: string;
  readFile(path: string): Promise<string | null>;
  /** Hears what a reviewer should know about how the change was written (shown in the explanation). */
  note?(text: string): void;
  /** The objects the overlay's patches see (render/pre-patch.ts), built once per plan. */
  prePatch?(): Promise<readonly K8sObject[]>;
  /**
   * Distinct values of one `images:` entry in the history of `file` (default: the overlay's
   * kustomization), newest first, each with the field that set it.
   */
  imageHistory(
    imageName: string,
    file?: string,
  ): Promise<Array<{ tag: string; field: 'newTag' | 'digest'; commit: string; time: string }>>;
  /**
   * Distinct images a manifest wrote for one workload container (kind and name as the manifest has
   * them) in the history of `file`, newest first.
   */
  manifestImageHistory?(
    file: string,
    at: { kind: string; name: string; container: string },
  ): Promise<Array<{ image: string; commit: string; time: string }>>;
  readonly now: Date;
}

export interface ObjectRef {
  kind: string;
  name: string;
  namespace?: string;
}

export interface ActionCandidate {
  action: string;
  params: Record<string, unknown>;
  /** One line for humans. */
  summary: string;
  rationale: string[];
  /** The rendered object the action changes. */
  object: { apiVersion: string; kind: string; name: string; namespace?: string };
  container?: string;
  effects: { fields: DeclaredEffect[]; objects: DeclaredObject[] };
  /** Seconds since the change this action undoes landed; null when not applicable. */
  releaseAgeSeconds: number | null;
}

/** Why an action did not propose anything, shown in the explanation. */
export interface Declined {
  action: string;
  reason: string;
}

export interface ActionPlugin {
  readonly id: string;
  readonly family: ActionFamily;
  /** Lower is preferred: the lattice picks the least disruptive admissible action. */
  readonly disruption: number;
  readonly handles: readonly SignalKind[];
  readonly description: string;
  /**
   * The action's whole rendered change is its exposure (adopting a rollout controller): it may
   * render no overlay change of its own, and it is never proposed from a signal.
   */
  readonly changesOnlyExposure?: boolean;
  /** Proposed by the follow-up of a merged remediation (a revert), never from a signal. */
  readonly fromFollowUp?: boolean;
  propose(incident: Incident, repo: RepoView): Promise<ActionCandidate | Declined>;
  /**
   * The rendered fields this action changes, from its params alone: what `check` holds the
   * rendered diff to, and what a verifier recomputes from a proof without the incident.
   */
  effects(params: Record<string, unknown>, object: ObjectRef): { fields: DeclaredEffect[]; objects: DeclaredObject[] };
  render(candidate: ActionCandidate, repo: RepoView): Promise<FileChange[]>;
}

export function isDeclined(value: ActionCandidate | Declined): value is Declined {
  return 'reason' in value && !('effects' in value);
}
