/**
 * Anomaly likelihood (Ahmad et al. 2017, §"anomaly likelihood"): how unusual the recent level of a
 * raw anomaly score is against its own long-run distribution. The mean of the last `short` raw
 * scores is compared with the mean and deviation of those short means over the last `history`
 * points; the Gaussian tail probability gives the likelihood, reported on a log scale so that
 * 1 − 10⁻¹⁰ maps to 1. Sliding sums over ring buffers keep each update O(1).
 */
import { DetectorStateError, num, nums } from './state.ts';
import type { JsonValue } from './types.ts';

export interface LikelihoodOptions {
  short: number;
  history: number;
  /** Points before the likelihood is trusted; it reports 0.5 (log scale: ~0.03) until then. */
  warmup: number;
}

const LOG_EPS = Math.log(1e-10);

/** Upper tail of the standard normal, Q(z) (Abramowitz-Stegun 7.1.26 on erfc). */
export function normalTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
    Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

export class Likelihood {
  private readonly shortBuf: number[];
  private readonly histBuf: number[];
  private n = 0;
  private shortSum = 0;
  private histSum = 0;
  private histSq = 0;

  constructor(
    readonly options: LikelihoodOptions,
    state?: Record<string, JsonValue>,
  ) {
    this.shortBuf = new Array(options.short).fill(0);
    this.histBuf = new Array(options.history).fill(0);
    if (state !== undefined) {
      const id = 'likelihood';
      if (state === null || typeof state !== 'object' || Array.isArray(state))
        throw new DetectorStateError('likelihood snapshot: not an object');
      const sb = nums(state, 'shortBuf', id, options.short);
      const hb = nums(state, 'histBuf', id, options.history);
      sb.forEach((v, i) => {
        this.shortBuf[i] = v;
      });
      hb.forEach((v, i) => {
        this.histBuf[i] = v;
      });
      this.n = num(state, 'n', id);
      this.shortSum = num(state, 'shortSum', id);
      this.histSum = num(state, 'histSum', id);
      this.histSq = num(state, 'histSq', id);
    }
  }

  /** Feeds one raw score in [0, 1]; returns the log-scaled likelihood in [0, 1]. */
  update(raw: number): number {
    const { short, history, warmup } = this.options;
    const si = this.n % short;
    this.shortSum += raw - (this.shortBuf[si] as number);
    this.shortBuf[si] = raw;
    const mean = this.shortSum / Math.min(this.n + 1, short);
    const hn = Math.min(this.n, history);
    let likelihood = 0.5;
    if (this.n >= warmup && hn > 1) {
      const mu = this.histSum / hn;
      const variance = Math.max(this.histSq / hn - mu * mu, 1e-6);
      likelihood = 1 - normalTail((mean - mu) / Math.sqrt(variance));
    }
    const hi = this.n % history;
    const old = this.histBuf[hi] as number;
    this.histSum += mean - old;
    this.histSq += mean * mean - old * old;
    this.histBuf[hi] = mean;
    this.n++;
    return Math.min(1, Math.log(Math.max(1e-300, 1.0000000001 - likelihood)) / LOG_EPS);
  }

  snapshot(): Record<string, JsonValue> {
    return {
      shortBuf: [...this.shortBuf],
      histBuf: [...this.histBuf],
      n: this.n,
      shortSum: this.shortSum,
      histSum: this.histSum,
      histSq: this.histSq,
    };
  }
}
