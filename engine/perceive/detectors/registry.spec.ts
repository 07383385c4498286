import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DETECTORS, detector } from './registry.ts';
import { DetectorStateError } from './state.ts';
import type { Detector, DetectorInput, DetectorInputs } from './types.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** A deterministic daily-ish stream with a spike, and matching log and event streams. */
function inputs(kind: DetectorInput, n: number): Array<DetectorInputs[DetectorInput]> {
  return Array.from({ length: n }, (_, i) => {
    const t = 1_700_000_000 + i * 300;
    if (kind === 'metric')
      return {
        t,
        value: 10 + 5 * Math.sin((2 * Math.PI * i) / 288) + ((i * 7919) % 13) / 13 + (i === n - 40 ? 40 : 0),
      };
    if (kind === 'log') return { t, counts: { a: 10 + (i % 3), b: 5, ...(i > n - 20 ? { [`new${i % 4}`]: 6 } : {}) } };
    return { t, kind: i % 5 === 0 ? 'OOMKilled' : 'CrashLoopBackOff', count: 1 + (i % 3) };
  });
}

describe('perceive/detectors/registry', () => {
  it('has exactly one detector per folder, id = folder name', () => {
    const folders = readdirSync(here)
      .filter((f) => statSync(join(here, f)).isDirectory() && !f.startsWith('__'))
      .sort();
    expect(DETECTORS.map((d) => d.id).sort()).toEqual(folders);
    for (const f of folders) expect(detector(f)?.id).toBe(f);
    expect(detector('nope')).toBeUndefined();
  });

  for (const plugin of DETECTORS) {
    describe(plugin.id, () => {
      const stream = inputs(plugin.input, 3 * 288);
      const run = (d: Detector<DetectorInput>, xs: typeof stream) => xs.map((x) => d.update(x as never));

      it('scores in [0, 1], deterministically', () => {
        const a = run(plugin.create(), stream);
        expect(a.every((s) => s >= 0 && s <= 1)).toBe(true);
        expect(run(plugin.create(), stream)).toEqual(a);
        expect(Math.max(...a)).toBeGreaterThan(0);
      });

      it('restores from a JSON snapshot into a detector that scores exactly as the original', () => {
        const original = plugin.create();
        const half = Math.floor(stream.length / 2);
        run(original, stream.slice(0, half));
        const json = JSON.stringify(original.snapshot());
        const copy = plugin.restore(JSON.parse(json));
        expect(JSON.stringify(copy.snapshot())).toBe(json);
        expect(run(copy, stream.slice(half))).toEqual(run(original, stream.slice(half)));
      });

      it('refuses a snapshot of another detector or a damaged one, with a clear error', () => {
        const snap = plugin.create().snapshot();
        expect(() => plugin.restore({ ...snap, detector: 'other' })).toThrow(DetectorStateError);
        expect(() => plugin.restore({ ...snap, version: 99 })).toThrow(/v99/);
        expect(() => plugin.restore({ ...snap, state: [] })).toThrow(DetectorStateError);
        expect(() => plugin.create({ nonsense: 1 } as never)).toThrow(/unknown option nonsense/);
      });
    });
  }
});
