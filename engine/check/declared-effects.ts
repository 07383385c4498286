/** The rendered diff must be exactly what the action declared: nothing more, nothing less. */
import { isDeepStrictEqual } from 'node:util';
import { CheckError } from '../model/errors.ts';
import type { RenderedDiff } from '../model/index.ts';
import type { DeclaredEffect, DeclaredObject } from '../model/remediation.ts';
import { describeObject } from './object-key.ts';

interface Ref {
  kind: string;
  name: string;
  namespace?: string | undefined;
}

/** A declaration without a namespace matches the object in any namespace. */
function sameObject(declared: Ref, actual: Ref): boolean {
  return (
    declared.kind === actual.kind &&
    declared.name === actual.name &&
    (declared.namespace === undefined || declared.namespace === actual.namespace)
  );
}

function show(value: unknown): string {
  return value === null || value === undefined ? '(absent)' : JSON.stringify(value);
}

export interface DeclaredEffects {
  fields: readonly DeclaredEffect[];
  objects: readonly DeclaredObject[];
}

/**
 * Throws CheckError `undeclared-change` when the diff holds a change nobody declared, or
 * `effect-missing` when a declared effect did not happen or landed with another value.
 * Values compare exactly (no quantity arithmetic): the declared value is what the patch writes.
 */
export function checkDeclaredEffects(diff: RenderedDiff, declared: DeclaredEffects): void {
  const unexpected: string[] = [];
  const missing: string[] = [];
  const matchedFields = new Set<DeclaredEffect>();
  const matchedObjects = new Set<DeclaredObject>();

  for (const change of diff.fields) {
    const effect = declared.fields.find((d) => d.path === change.path && sameObject(d, change));
    const where = `${describeObject(change)} ${change.path}`;
    if (!effect) {
      unexpected.push(`${where}: ${show(change.before)} → ${show(change.after)}`);
      continue;
    }
    matchedFields.add(effect);
    if (!isDeepStrictEqual(effect.after, change.after)) {
      missing.push(`${where}: declared ${show(effect.after)}, rendered ${show(change.after)}`);
    }
  }
  for (const change of diff.objects) {
    const object = declared.objects.find((d) => d.op === change.op && sameObject(d, change));
    if (object) matchedObjects.add(object);
    else unexpected.push(`${describeObject(change)}: object ${change.op === 'add' ? 'added' : 'removed'}`);
  }
  for (const effect of declared.fields) {
    if (!matchedFields.has(effect)) {
      missing.push(`${describeObject(effect)} ${effect.path}: declared ${show(effect.after)}, rendered no change`);
    }
  }
  for (const object of declared.objects) {
    if (!matchedObjects.has(object)) missing.push(`${describeObject(object)}: declared ${object.op}, not rendered`);
  }
  if (unexpected.length === 0 && missing.length === 0) return;

  const lines = ['the rendered change differs from the declared effects'];
  if (unexpected.length > 0) lines.push('undeclared changes:', ...unexpected.map((l) => `  - ${l}`));
  if (missing.length > 0) lines.push('declared effects not rendered as declared:', ...missing.map((l) => `  - ${l}`));
  throw new CheckError(lines.join('\n'), { code: unexpected.length > 0 ? 'undeclared-change' : 'effect-missing' });
}
