/** The rendered diff: what changes in kustomize's output between two builds. */
import { isDeepStrictEqual } from 'node:util';
import type { FieldChange, ObjectChange, RenderedDiff } from '../model/index.ts';
import type { K8sObject } from '../model/remediation.ts';
import { comparePaths, flatten, ORDER } from './flatten.ts';
import { objectKey } from './object-key.ts';

function byKey(objects: readonly K8sObject[]): Map<string, K8sObject> {
  const map = new Map<string, K8sObject>();
  for (const object of objects) map.set(objectKey(object), object);
  return map;
}

function identity(object: K8sObject): { apiVersion: string; kind: string; namespace?: string; name: string } {
  const { namespace, name } = object.metadata;
  return namespace === undefined
    ? { apiVersion: object.apiVersion, kind: object.kind, name }
    : { apiVersion: object.apiVersion, kind: object.kind, namespace, name };
}

function isEmptyContainer(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

/** `resources: {}` becoming `resources: {limits: …}` is the leaves under it, not a change of `/resources`. */
function hasDescendant(paths: Map<string, unknown>, path: string): boolean {
  for (const other of paths.keys()) {
    if (other.length > path.length && other.startsWith(path) && '/['.includes(other.charAt(path.length))) return true;
  }
  return false;
}

/**
 * A named list moved an item when an item on both sides changed position. Items added at the end
 * or removed from it move nothing (their own leaves show them); a list that appears or goes is its items.
 */
function moved(was: unknown, now: unknown): boolean {
  if (!Array.isArray(was) || !Array.isArray(now)) return false;
  return was.some((item, i) => now.includes(item) && now.indexOf(item) !== i);
}

function fieldChanges(before: K8sObject, after: K8sObject): FieldChange[] {
  const left = flatten(before);
  const right = flatten(after);
  const paths = [...new Set([...left.keys(), ...right.keys()])].sort(comparePaths);
  const changes: FieldChange[] = [];
  for (const path of paths) {
    const was = left.has(path) ? left.get(path) : null;
    const now = right.has(path) ? right.get(path) : null;
    if (isDeepStrictEqual(was, now)) continue;
    if (path.endsWith(ORDER) && !moved(was, now)) continue;
    if (isEmptyContainer(was) && now === null && hasDescendant(right, path)) continue;
    if (isEmptyContainer(now) && was === null && hasDescendant(left, path)) continue;
    changes.push({ ...identity(after), path, before: was, after: now });
  }
  return changes;
}

/** Orders object keys (`group|kind|namespace|name`) by kind, namespace, name, then group. */
function compareKeys(a: string, b: string): number {
  const [ga = '', ...ra] = a.split('|');
  const [gb = '', ...rb] = b.split('|');
  const x = [...ra, ga].join('\u0000');
  const y = [...rb, gb].join('\u0000');
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Matches objects by API group, kind, namespace and name; reports added and removed objects and every
 * changed leaf of the others. Ordered by object identity, then path.
 */
export function renderedDiff(before: readonly K8sObject[], after: readonly K8sObject[]): RenderedDiff {
  const left = byKey(before);
  const right = byKey(after);
  const keys = [...new Set([...left.keys(), ...right.keys()])].sort(compareKeys);
  const fields: FieldChange[] = [];
  const objects: ObjectChange[] = [];
  for (const key of keys) {
    const was = left.get(key);
    const now = right.get(key);
    if (was && now) fields.push(...fieldChanges(was, now));
    else if (now) objects.push({ op: 'add', ...identity(now) });
    else if (was) objects.push({ op: 'remove', ...identity(was) });
  }
  return { fields, objects };
}
