/**
 * seasonal-residual: the residual of a metric against its seasonal baseline, online.
 *
 * The baseline is level + seasonal[phase] (additive decomposition, as in STL, Cleveland et al.
 * 1990, but updated one point at a time): `phase` is the slot of the point's time within the
 * period (a day by default, from the timestamp, so irregular sampling is fine), `level` an
 * exponentially weighted mean of the deseasonalised value, and each slot's seasonal term an
 * exponentially weighted mean of value − level at that slot. The residual's scale is a weighted
 * mean absolute residual per slot (peaks may be noisier than troughs), floored by a share of the
 * global one. With z = |residual| / (1.2533 · scale), the score is the two-sided Gaussian mass
 * inside z − 2 (0 within two deviations, near 1 far outside the band). Until a slot has been seen
 * `minCycles` times the score is 0 (no baseline yet).
 *
 * `band()` gives the baseline and its band (± `bandWidth` scales) at a time: the evidence an
 * explanation shows next to the observed value.
 */
import { normalTail } from '../likelihood.ts';
import { asJson, mergeOptions } from '../options.ts';
import { DetectorStateError, num, nums, unwrap, wrap } from '../state.ts';
import type { Detector, DetectorState, JsonValue, MetricPoint, RichDetectorPlugin } from '../types.ts';

export interface SeasonalResidualOptions {
  periodSeconds: number;
  slots: number;
  levelAlpha: number;
  seasonAlpha: number;
  scaleAlpha: number;
  minCycles: number;
  bandWidth: number;
  /** The per-slot scale never drops below this share of the global scale. */
  scaleFloor: number;
}

export const DEFAULTS: SeasonalResidualOptions = {
  periodSeconds: 86_400,
  slots: 48,
  levelAlpha: 0.02,
  seasonAlpha: 0.3,
  scaleAlpha: 0.2,
  minCycles: 2,
  bandWidth: 3,
  scaleFloor: 0.5,
};

const ID = 'seasonal-residual';
const VERSION = 1;
const MAD_TO_SD = 1.2533;

export interface Band {
  t: number;
  expected: number;
  lower: number;
  upper: number;
}

export interface SeasonalDetector extends Detector<'metric'> {
  /** The baseline band at time t, or null while the slot has no baseline. */
  band(t: number): Band | null;
}

class SeasonalResidual implements SeasonalDetector {
  readonly id = ID;
  private n = 0;
  private level = 0;
  private globalScale = 0;
  private readonly season: number[];
  private readonly scale: number[];
  /** Points seen per slot, distinct cycles per slot, and the last cycle each slot was seen in. */
  private readonly seen: number[];
  private readonly cycles: number[];
  private readonly lastCycle: number[];

  constructor(
    private readonly o: SeasonalResidualOptions,
    state?: Record<string, JsonValue>,
  ) {
    if (!(o.periodSeconds > 0) || !Number.isInteger(o.slots) || o.slots < 1 || o.slots > 100_000)
      throw new DetectorStateError(`${ID}: periodSeconds must be > 0 and slots an integer in 1..100000`);
    this.season = new Array(o.slots).fill(0);
    this.scale = new Array(o.slots).fill(0);
    this.seen = new Array(o.slots).fill(0);
    this.cycles = new Array(o.slots).fill(0);
    this.lastCycle = new Array(o.slots).fill(-1);
    if (!state) return;
    this.n = num(state, 'n', ID);
    this.level = num(state, 'level', ID);
    this.globalScale = num(state, 'globalScale', ID);
    for (const key of ['season', 'scale', 'seen', 'cycles', 'lastCycle'] as const) {
      const v = nums(state, key, ID, o.slots);
      if (v.length !== o.slots) throw new DetectorStateError(`${ID} snapshot: ${key} needs ${o.slots} entries`);
      v.forEach((x, i) => {
        this[key][i] = x;
      });
    }
  }

  private slot(t: number): number {
    const p = this.o.periodSeconds;
    const phase = ((t % p) + p) % p;
    return Math.min(this.o.slots - 1, Math.floor((phase / p) * this.o.slots));
  }

  private slotScale(s: number): number {
    return Math.max(this.scale[s] as number, this.o.scaleFloor * this.globalScale, 1e-9);
  }

  band(t: number): Band | null {
    const s = this.slot(t);
    if ((this.cycles[s] as number) < this.o.minCycles) return null;
    const expected = this.level + (this.season[s] as number);
    const w = this.o.bandWidth * MAD_TO_SD * this.slotScale(s);
    return { t, expected, lower: expected - w, upper: expected + w };
  }

  update(p: MetricPoint): number {
    const x = p.value;
    if (!Number.isFinite(x) || !Number.isFinite(p.t)) return 0;
    const s = this.slot(p.t);
    if (this.n === 0) this.level = x;
    const seen = this.seen[s] as number;
    const expected = this.level + (this.season[s] as number);
    const residual = x - expected;
    let score = 0;
    if ((this.cycles[s] as number) >= this.o.minCycles) {
      const z = Math.abs(residual) / (MAD_TO_SD * this.slotScale(s));
      score = 1 - 2 * normalTail(Math.max(0, z - 2));
    }
    // Learn: the slot's seasonal term first (its first sighting takes the deviation whole).
    const a = seen === 0 ? 1 : this.o.seasonAlpha;
    const dev = x - this.level;
    this.season[s] = (this.season[s] as number) + a * (dev - (this.season[s] as number));
    this.level += this.o.levelAlpha * (x - (this.season[s] as number) - this.level);
    if (seen > 0) {
      const r = Math.abs(residual);
      this.scale[s] = seen === 1 ? r : (this.scale[s] as number) + this.o.scaleAlpha * (r - (this.scale[s] as number));
      this.globalScale += (this.n < 50 ? 1 / (this.n + 1) : 0.01) * (r - this.globalScale);
    }
    this.seen[s] = seen + 1;
    const cycle = Math.floor(p.t / this.o.periodSeconds);
    if (cycle !== this.lastCycle[s]) {
      this.lastCycle[s] = cycle;
      this.cycles[s] = (this.cycles[s] as number) + 1;
    }
    this.n++;
    return Math.max(0, Math.min(1, score));
  }

  snapshot(): DetectorState {
    return wrap(ID, VERSION, {
      options: asJson(this.o),
      n: this.n,
      level: this.level,
      globalScale: this.globalScale,
      season: [...this.season],
      scale: [...this.scale],
      seen: [...this.seen],
      cycles: [...this.cycles],
      lastCycle: [...this.lastCycle],
    });
  }
}

export const seasonalResidual: RichDetectorPlugin<'metric', SeasonalResidualOptions, SeasonalDetector> = {
  id: ID,
  input: 'metric',
  description: 'residual against a seasonal baseline (level + per-slot seasonal term), with its band',
  create: (over) => new SeasonalResidual(mergeOptions(ID, DEFAULTS, over)),
  restore: (snapshot) => {
    const s = unwrap(snapshot, ID, VERSION);
    return new SeasonalResidual(mergeOptions(ID, DEFAULTS, s.options), s);
  },
};
