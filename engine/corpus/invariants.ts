/**
 * The invariants every planned remediation must hold on a real repo, checked from the outside:
 * the overlay builds, the rendered diff is exactly the declared effects (positionally), `salve
 * verify` passes on the branch (it builds the branch again and compares with the proof), the
 * kustomization keeps every comment where it was, a rerun gives the same bytes, and nothing
 * outside the overlay and `.salve/` changes.
 */
import { posix } from 'node:path';
import { getAction } from '../actions/registry.ts';
import { placeObjects } from '../check/identity.ts';
import { checkDeclaredEffects } from '../check/index.ts';
import { SalveError } from '../model/errors.ts';
import type { Proof } from '../model/policy.ts';
import type { Remediation } from '../model/remediation.ts';
import { readOverlayTransforms } from '../render/overlay.ts';
import { expectedExposure, exposureTarget } from '../render/rollouts/index.ts';
import { type BuildCache, buildOverlay } from '../repo/build-overlay.ts';
import { KUSTOMIZATION_FILES } from '../repo/overlay-inputs.ts';
import { commentProblems } from './comments.ts';

export const INVARIANTS = ['builds', 'declared-effects', 'verify', 'comments', 'rerun', 'scope'] as const;
export type Invariant = (typeof INVARIANTS)[number];

export interface Check {
  invariant: Invariant;
  ok: boolean;
  detail?: string;
}

export function pass(invariant: Invariant): Check {
  return { invariant, ok: true };
}

export function fail(invariant: Invariant, detail: string): Check {
  return { invariant, ok: false, detail: detail.replace(/\s+/g, ' ').trim() };
}

function message(err: unknown): string {
  return err instanceof SalveError || err instanceof Error ? err.message : String(err);
}

/**
 * Only the overlay and `.salve/` change; adopting Argo Rollouts may also edit the Application that
 * syncs the overlay (so self-heal leaves the Deployment's replicas to the Rollout).
 */
export function checkScope(rem: Remediation, paths: readonly string[]): Check {
  const application = rem.action.id === 'adopt-argo-rollouts' ? rem.action.params.applicationFile : null;
  const inside = (p: string) =>
    p.startsWith('.salve/') || rem.overlay === '' || p.startsWith(`${rem.overlay}/`) || p === application;
  const outside = paths.filter((p) => !inside(p));
  return outside.length === 0 ? pass('scope') : fail('scope', `changed outside ${rem.overlay}/: ${outside.join(', ')}`);
}

/** Every comment of every kustomization the change edits is still there, attached to the same key. */
export function checkComments(rem: Remediation): Check {
  const problems: string[] = [];
  const notes = rem.notes ?? [];
  for (const file of rem.files) {
    if (file.before === null || file.after === null || !KUSTOMIZATION_FILES.includes(posix.basename(file.path)))
      continue;
    // A comment salve dropped on purpose is one its notes name (and the explanation shows).
    const dropped = (text: string) => notes.some((n) => n.includes(text));
    for (const p of commentProblems(file.before, file.after, dropped)) problems.push(`${file.path}: ${p}`);
  }
  return problems.length === 0 ? pass('comments') : fail('comments', problems.join('; '));
}

/**
 * Holds the positional diff plan rendered (the one verify re-renders on the branch and compares
 * with the proof) to the action's declared effects plus the exposure's, both recomputed from the
 * proof's parameters and the base render, not taken from plan.
 */
export async function checkDeclared(
  repoDir: string,
  rem: Remediation,
  proof: Proof,
  destination: string,
  cache: BuildCache,
): Promise<Check> {
  const plugin = getAction(rem.action.id);
  if (!plugin) return fail('declared-effects', `unknown action ${rem.action.id}`);
  const placed = placeObjects((await buildOverlay(repoDir, rem.overlay, { cache })).objects, destination);
  const t = proof.input.target;
  const own = plugin.effects(rem.action.params, { kind: t.kind, name: t.name, namespace: t.namespace });
  const affixes = await readOverlayTransforms(repoDir, rem.overlay);
  const exposure = rem.exposure
    ? expectedExposure(rem.exposure.plan, placed, exposureTarget(proof.input), affixes)
    : null;
  if (rem.exposure && !exposure) return fail('declared-effects', 'the target cannot carry its canary');
  const exposureEffects = exposure?.effects ?? { fields: [], objects: [] };
  try {
    checkDeclaredEffects(rem.diff, {
      fields: [...own.fields, ...exposureEffects.fields],
      objects: [...own.objects, ...exposureEffects.objects],
    });
  } catch (err) {
    return fail('declared-effects', message(err));
  }
  return pass('declared-effects');
}
