import { describe, expect, it } from 'vitest';
import type { MetricPoint } from '../types.ts';
import { contextNovelty } from './index.ts';

/** A repeating 0..4 ramp around `base` for `n` points, from time `t0` (5-minute steps). */
const ramp = (base: number, n: number, t0 = 0): MetricPoint[] =>
  Array.from({ length: n }, (_, i) => ({ t: t0 + 300 * i, value: base + (i % 5) }));

describe('context-novelty relearn', () => {
  const before = ramp(0, 300);
  const after = ramp(100, 300, 300 * 300);

  it('scores a level shift once, then sees the shape of the new regime, which a frozen range clamps away', () => {
    // In the new regime, the ramp stalls at 102 for five points at 200..204.
    const shifted = after.map((p, i) => (i >= 200 && i < 205 ? { ...p, value: 102 } : p));
    const run = (relearn: number) => {
      const d = contextNovelty.create({ warmup: 50, relearn });
      for (const p of before) d.update(p);
      return shifted.map((p) => d.update(p));
    };
    const learnt = run(1);
    expect(learnt[0]).toBe(1);
    // Quiet while it learns the new range, then the ramp is familiar and the stall is not.
    expect(learnt.slice(1, 50).every((s) => s === 0)).toBe(true);
    expect(Math.max(...learnt.slice(150, 200))).toBeLessThan(0.2);
    expect(Math.max(...learnt.slice(200, 206))).toBeGreaterThan(0.4);
    // With the range frozen, every shifted value is the same clamped level: the stall is invisible.
    const frozen = run(0);
    expect(Math.max(...frozen.slice(200, 206))).toBeLessThan(0.2);
  });

  it('does not relearn inside its range or within the margin', () => {
    const d = contextNovelty.create({ warmup: 50, relearn: 1 });
    for (const p of before) d.update(p);
    // Range 0..4, span 4: 8 is within one span past the top, so what was learnt stays.
    d.update({ t: 1e6, value: 8 });
    const n = (d.snapshot().state as { n: number }).n;
    expect(n).toBe(301);
    const next = ramp(0, 20, 1e6 + 300).map((p) => d.update(p));
    expect(Math.max(...next.slice(10))).toBeLessThan(0.2);
  });

  it('continues identically from a snapshot taken during relearning', () => {
    const d = contextNovelty.create({ warmup: 50, relearn: 1 });
    for (const p of [...before, ...after.slice(0, 20)]) d.update(p);
    const copy = contextNovelty.restore(JSON.parse(JSON.stringify(d.snapshot())));
    const rest = after.slice(20);
    expect(rest.map((p) => copy.update(p))).toEqual(rest.map((p) => d.update(p)));
  });

  it('refuses a negative relearn', () => {
    expect(() => contextNovelty.create({ relearn: -1 })).toThrow(/relearn/);
  });
});
