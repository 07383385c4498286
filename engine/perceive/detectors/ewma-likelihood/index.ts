/**
 * ewma-likelihood: how far a value is from its exponentially weighted mean, in units of the
 * weighted deviation (capped at `cap` deviations → 1), turned into an anomaly likelihood against
 * the recent history of that raw score (see ../likelihood.ts). Catches level shifts and spikes a
 * contextual detector discretises away. Scores are 0 during the warm-up.
 */
import { Likelihood } from '../likelihood.ts';
import { asJson, mergeOptions } from '../options.ts';
import { num, unwrap, wrap } from '../state.ts';
import type { Detector, DetectorPlugin, DetectorState, JsonValue, MetricPoint } from '../types.ts';

export interface EwmaLikelihoodOptions {
  alpha: number;
  cap: number;
  short: number;
  history: number;
  warmup: number;
}

export const DEFAULTS: EwmaLikelihoodOptions = { alpha: 0.01, cap: 4, short: 5, history: 5000, warmup: 300 };

const ID = 'ewma-likelihood';
const VERSION = 1;

class EwmaLikelihood implements Detector<'metric'> {
  readonly id = ID;
  private n = 0;
  private mean = 0;
  private variance = 0;
  private readonly likelihood: Likelihood;

  constructor(
    private readonly o: EwmaLikelihoodOptions,
    state?: Record<string, JsonValue>,
  ) {
    this.likelihood = new Likelihood(
      { short: o.short, history: o.history, warmup: o.warmup },
      state ? (state.likelihood as Record<string, JsonValue>) : undefined,
    );
    if (!state) return;
    this.n = num(state, 'n', ID);
    this.mean = num(state, 'mean', ID);
    this.variance = num(state, 'variance', ID);
  }

  update(p: MetricPoint): number {
    const x = p.value;
    if (!Number.isFinite(x)) return 0;
    if (this.n === 0) this.mean = x;
    const err = x - this.mean;
    const raw = Math.min(1, Math.abs(err) / (this.o.cap * (Math.sqrt(this.variance) + 1e-9)));
    this.mean += this.o.alpha * err;
    this.variance = (1 - this.o.alpha) * (this.variance + this.o.alpha * err * err);
    this.n++;
    const score = this.likelihood.update(raw);
    return this.n < this.o.warmup ? 0 : score;
  }

  snapshot(): DetectorState {
    return wrap(ID, VERSION, {
      options: asJson(this.o),
      n: this.n,
      mean: this.mean,
      variance: this.variance,
      likelihood: this.likelihood.snapshot(),
    });
  }
}

export const ewmaLikelihood: DetectorPlugin<'metric', EwmaLikelihoodOptions> = {
  id: ID,
  input: 'metric',
  description: 'distance from the weighted mean, as an anomaly likelihood against its own history',
  create: (over) => new EwmaLikelihood(mergeOptions(ID, DEFAULTS, over)),
  restore: (snapshot) => {
    const s = unwrap(snapshot, ID, VERSION);
    return new EwmaLikelihood(mergeOptions(ID, DEFAULTS, s.options), s);
  },
};
