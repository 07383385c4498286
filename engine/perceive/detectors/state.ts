/** Snapshot helpers: a state is checked before a detector is rebuilt from it. */
import { InputError } from '../../model/errors.ts';
import type { DetectorState, JsonValue } from './types.ts';

export class DetectorStateError extends InputError {
  constructor(message: string) {
    super(message, { code: 'bad-detector-state' });
  }
}

export function wrap(detector: string, version: number, state: JsonValue): DetectorState {
  return { detector, version, state };
}

/** The inner state of a snapshot made by `detector` at `version`, as an object. */
export function unwrap(snapshot: DetectorState, detector: string, version: number): Record<string, JsonValue> {
  if (snapshot?.detector !== detector || snapshot.version !== version)
    throw new DetectorStateError(
      `snapshot is for ${String(snapshot?.detector)} v${String(snapshot?.version)}, not ${detector} v${version}`,
    );
  const s = snapshot.state;
  if (s === null || typeof s !== 'object' || Array.isArray(s))
    throw new DetectorStateError(`${detector} snapshot: state is not an object`);
  return s;
}

export function num(s: Record<string, JsonValue>, key: string, detector: string): number {
  const v = s[key];
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new DetectorStateError(`${detector} snapshot: ${key} is not a finite number`);
  return v;
}

export function nums(s: Record<string, JsonValue>, key: string, detector: string, max = 1_000_000): number[] {
  const v = s[key];
  if (!Array.isArray(v) || v.length > max || !v.every((x) => typeof x === 'number' && Number.isFinite(x)))
    throw new DetectorStateError(`${detector} snapshot: ${key} is not a list of at most ${max} numbers`);
  return v as number[];
}

/** Non-finite numbers (NaN, ±Infinity) are not JSON: a state keeps them as null. */
export const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);
