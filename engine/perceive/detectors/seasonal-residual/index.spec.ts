import { describe, expect, it } from 'vitest';
import { seasonalResidual } from './index.ts';

const DAY = 86_400;
const STEP = 300;
/** Requests per second with a daily peak at 14:00, small deterministic noise. */
const diurnal = (t: number) => 100 + 80 * Math.exp(-(((t % DAY) / 3600 - 14) ** 2) / 4) + ((t / STEP) % 7) - 3;

describe('perceive/detectors/seasonal-residual', () => {
  const start = 1_750_000_000 - (1_750_000_000 % DAY);
  const trained = () => {
    const d = seasonalResidual.create();
    for (let t = start; t < start + 7 * DAY; t += STEP) d.update({ t, value: diurnal(t) });
    return d;
  };

  it('keeps the daily peak it sees every day inside its band: low score at the peak', () => {
    const d = trained();
    const peak = start + 7 * DAY + 14 * 3600;
    const band = d.band(peak);
    expect(band?.expected).toBeGreaterThan(170);
    expect(diurnal(peak)).toBeGreaterThan(band?.lower as number);
    expect(diurnal(peak)).toBeLessThan(band?.upper as number);
    expect(d.update({ t: peak, value: diurnal(peak) })).toBeLessThan(0.5);
  });

  it('scores the same level high at an hour that never sees it', () => {
    const d = trained();
    const night = start + 7 * DAY + 3 * 3600;
    expect(d.update({ t: night, value: diurnal(start + 14 * 3600) })).toBeGreaterThan(0.99);
  });

  it('has no baseline, and scores 0, before it has seen a slot on two days', () => {
    const d = seasonalResidual.create();
    expect(d.band(start)).toBeNull();
    for (let t = start; t < start + DAY; t += STEP) expect(d.update({ t, value: diurnal(t) * (t % 7) })).toBe(0);
  });
});
