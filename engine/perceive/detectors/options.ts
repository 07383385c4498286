/** Detector options travel inside snapshots, so a restored detector is configured as the original. */
import { DetectorStateError } from './state.ts';
import type { JsonValue } from './types.ts';

/** `defaults` overridden by the finite numbers of `over` that `defaults` names; anything else is refused. */
export function mergeOptions<O extends object>(detector: string, defaults: O, over: unknown = {}): O {
  if (over === null || typeof over !== 'object' || Array.isArray(over))
    throw new DetectorStateError(`${detector}: options must be an object`);
  const out = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    if (!(k in out)) throw new DetectorStateError(`${detector}: unknown option ${k}`);
    const d = out[k];
    if (typeof d === 'number' && (typeof v !== 'number' || !Number.isFinite(v)))
      throw new DetectorStateError(`${detector}: option ${k} must be a finite number`);
    if (typeof d === 'boolean' && typeof v !== 'boolean')
      throw new DetectorStateError(`${detector}: option ${k} must be true or false`);
    out[k] = v;
  }
  return out as O;
}

export const asJson = (o: object): JsonValue => JSON.parse(JSON.stringify(o)) as JsonValue;
