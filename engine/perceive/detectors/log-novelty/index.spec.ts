import { describe, expect, it } from 'vitest';
import { logNovelty } from './index.ts';

describe('perceive/detectors/log-novelty', () => {
  const baseline = { t: 0, counts: { start: 50, ok: 400, slow: 20 } };

  it('scores an unchanged mix near 0', () => {
    const d = logNovelty.create({ learn: false });
    d.learn(baseline);
    const f = d.features({ t: 1, counts: { start: 5, ok: 41, slow: 2 } });
    expect(f.novelShare).toBe(0);
    expect(f.distance).toBeLessThan(0.01);
    expect(d.update({ t: 1, counts: { start: 5, ok: 41, slow: 2 } })).toBeLessThan(0.01);
  });

  it('names the templates new in this batch, with their share, rarity and the distance', () => {
    const d = logNovelty.create({ learn: false });
    d.learn(baseline);
    const f = d.features({ t: 1, counts: { start: 5, ok: 20, boom: 30, npe: 10 } });
    expect(f.novel).toEqual([
      { id: 'boom', count: 30 },
      { id: 'npe', count: 10 },
    ]);
    expect(f.novelShare).toBeCloseTo(40 / 65, 6);
    expect(f.rarity).toBeGreaterThan(0.5);
    expect(f.distance).toBeGreaterThan(0.3);
  });

  it('sees a code path that went silent through the count-vector distance', () => {
    const d = logNovelty.create({ learn: false });
    d.learn(baseline);
    const f = d.features({ t: 1, counts: { start: 50, slow: 20 } });
    expect(f.novelShare).toBe(0);
    expect(f.distance).toBeGreaterThan(0.8);
  });

  it('learns as it goes: the second time a template appears it is no longer novel', () => {
    const d = logNovelty.create();
    d.learn(baseline);
    expect(d.update({ t: 1, counts: { ok: 10, boom: 10 } })).toBeGreaterThan(0.4);
    expect(d.features({ t: 2, counts: { ok: 10, boom: 10 } }).novelShare).toBe(0);
  });
});
