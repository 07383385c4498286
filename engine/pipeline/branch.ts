/**
 * One open remediation per workload. The branch is named for the workload (its kind, name and the
 * short fingerprint of its owner), not the action: a second incident on the same workload lands on
 * the same branch and supersedes what is there, so two salve branches never edit one overlay from
 * one base (their kustomization entries would conflict line for line). The remediation record
 * (`.salve/remediations/<fingerprint>-<action>/`) stays per action, so merged records accumulate.
 */
import fs from 'node:fs';
import git from 'isomorphic-git';
import type { Target } from '../model/index.ts';
import type { K8sObject } from '../model/remediation.ts';
import { fingerprint, shortFingerprint } from '../perceive/index.ts';

/**
 * The workload a change is about: the target itself, or for an autoscaler the workload it scales
 * (an HPA raise and a memory raise of one Deployment edit the same overlay for the same workload).
 */
export function workloadOf(target: Target, objects: readonly K8sObject[]): Target {
  if (target.kind !== 'HorizontalPodAutoscaler') return target;
  const hpa = objects.find(
    (o) =>
      o.kind === target.kind &&
      o.metadata.name === target.name &&
      (o.metadata.namespace ?? target.namespace) === target.namespace,
  );
  const ref = (hpa?.spec as { scaleTargetRef?: { kind?: string; name?: string } } | undefined)?.scaleTargetRef;
  return ref?.kind && ref.name ? { ...target, kind: ref.kind, name: ref.name } : target;
}

export function workloadBranch(workload: Target): string {
  const { kind, name } = workload;
  const slug = `${kind}-${name}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
  return `salve/${slug}-${shortFingerprint(fingerprint(workload))}`;
}

/** The unmerged remediation a branch holds now, when it is another one than `id`. */
export interface Superseded {
  branch: string;
  id: string;
  title: string;
  commit: string;
}

const TRAILER = /^Salve-Remediation: (\S+)$/m;

async function resolve(dir: string, ref: string): Promise<string | null> {
  try {
    return await git.resolveRef({ fs, dir, ref });
  } catch {
    return null;
  }
}

/** A branch's head in the checkout: the commit and its message. */
export interface BranchHead {
  commit: string;
  message: string;
}

/**
 * The workload's branch in this checkout (local branch, else origin's), unless it is at the base.
 * Read apart from the remediation's id so a plan can ask while kustomize builds the change.
 */
export async function branchHead(dir: string, branch: string, baseCommit: string): Promise<BranchHead | null> {
  const head = (await resolve(dir, `refs/heads/${branch}`)) ?? (await resolve(dir, `refs/remotes/origin/${branch}`));
  if (!head || head === baseCommit) return null;
  try {
    const { commit } = await git.readCommit({ fs, dir, oid: head });
    return { commit: head, message: commit.message };
  } catch {
    return null;
  }
}

/**
 * What the workload's branch holds, unless it is the same remediation or already merged into the
 * base. A shallow checkout without the branch knows of nothing: the GitHub publisher then says it
 * from the open pull request.
 */
export async function supersededBy(
  dir: string,
  branch: string,
  baseCommit: string,
  id: string,
  held: BranchHead | null,
): Promise<Superseded | null> {
  if (!held) return null;
  const previous = TRAILER.exec(held.message)?.[1];
  if (!previous || previous === id) return null;
  try {
    const merged = await git.isDescendent({ fs, dir, oid: baseCommit, ancestor: held.commit, depth: -1 });
    if (merged) return null;
  } catch {
    return null;
  }
  return { branch, id: previous, title: held.message.split('\n')[0] ?? previous, commit: held.commit };
}

/** supersededBy, reading the branch's head first. */
export async function supersededOn(
  dir: string,
  branch: string,
  baseCommit: string,
  id: string,
): Promise<Superseded | null> {
  return supersededBy(dir, branch, baseCommit, id, await branchHead(dir, branch, baseCommit));
}
