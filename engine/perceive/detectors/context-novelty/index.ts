/**
 * context-novelty: a contextual anomaly detector for univariate streams, after the idea behind
 * NAB's Contextual Anomaly Detector (CAD OSE): values are discretised into a few levels, the recent
 * sequence of levels is the context, and a point is anomalous when the context it completes has
 * rarely or never been seen. Here the contexts are the last 1..`order` levels, plus the step from
 * the previous level; each is counted online. The score is the mean surprise over them, in [0, 1].
 *
 * Levels come from the range seen during the first `warmup` points, widened by `margin` of its
 * span on each side: a later value outside it lands on a level never seen, which stays novel until
 * it recurs. Scores are 0 during the warm-up.
 *
 * With `relearn` > 0, a value past the warm-up range by more than `relearn` of its span is a new
 * regime: the detector scores it 1, forgets its contexts and learns a range anew from that value
 * (scores 0 while it warms up again). Without it, a stream that moves to a wider range stays
 * "novel" for as long as it stays there.
 */
import { asJson, mergeOptions } from '../options.ts';
import { DetectorStateError, num, unwrap, wrap } from '../state.ts';
import type { Detector, DetectorPlugin, DetectorState, JsonValue, MetricPoint } from '../types.ts';

export interface ContextNoveltyOptions {
  levels: number;
  order: number;
  warmup: number;
  margin: number;
  /** A step seen this many times is no longer surprising. */
  stepFamiliar: number;
  /** At most this many distinct contexts are stored (new ones are then scored, not stored). */
  maxContexts: number;
  /** Past the warm-up range by more than this share of its span, learn anew (0: never). */
  relearn: number;
}

export const DEFAULTS: ContextNoveltyOptions = {
  levels: 6,
  order: 3,
  warmup: 150,
  margin: 0.4,
  stepFamiliar: 10,
  maxContexts: 100_000,
  relearn: 0,
};

/**
 * Levels are clamped to ±`SPAN` (far outside the warm-up range is one level per side) and coded
 * as 0..BASE−1, so a context of up to `MAX_ORDER` levels, its order and the level after it pack
 * into one integer below 2^53: a Map lookup without string building.
 */
const SPAN = 60;
const BASE = 2 * SPAN + 1;
export const MAX_ORDER = 5;
const code = (level: number) => Math.max(-SPAN, Math.min(SPAN, level)) + SPAN;
const key = (k: number, ctx: number, next: number) => (ctx * (BASE + 1) + next) * (MAX_ORDER + 1) + k;

const ID = 'context-novelty';
const VERSION = 1;

class ContextNovelty implements Detector<'metric'> {
  readonly id = ID;
  private n = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;
  private history: number[] = [];
  /** Context (and context → level) counts, keyed by number: see `key`. */
  private counts = new Map<number, number>();

  constructor(
    private readonly o: ContextNoveltyOptions,
    state?: Record<string, JsonValue>,
  ) {
    if (!state) return;
    this.n = num(state, 'n', ID);
    this.lo = typeof state.lo === 'number' ? state.lo : Number.POSITIVE_INFINITY;
    this.hi = typeof state.hi === 'number' ? state.hi : Number.NEGATIVE_INFINITY;
    const h = state.history;
    const c = state.counts;
    if (!Array.isArray(h) || h.length > o.order || !h.every((x) => Number.isInteger(x)))
      throw new DetectorStateError(`${ID} snapshot: history is not a list of at most ${o.order} levels`);
    if (!Array.isArray(c) || c.length > o.maxContexts)
      throw new DetectorStateError(`${ID} snapshot: counts is not a list of at most ${o.maxContexts} entries`);
    this.history = h as number[];
    for (const e of c) {
      if (!Array.isArray(e) || typeof e[0] !== 'number' || typeof e[1] !== 'number')
        throw new DetectorStateError(`${ID} snapshot: a count is not [context, number]`);
      this.counts.set(e[0], e[1]);
    }
  }

  private level(v: number): number {
    const span = this.hi - this.lo;
    if (!(span > 0)) return v === this.lo ? 0 : v > this.lo ? this.o.levels : -1;
    const lo = this.lo - span * this.o.margin;
    return Math.floor(((v - lo) / (span * (1 + 2 * this.o.margin))) * (this.o.levels - 1e-9));
  }

  /** Returns the count before this observation and counts it. */
  private bump(key: number): number {
    const c = this.counts.get(key) ?? 0;
    if (c > 0 || this.counts.size < this.o.maxContexts) this.counts.set(key, c + 1);
    return c;
  }

  private surprise(level: number): number {
    const h = this.history;
    let total = 0;
    let ctx = 0;
    for (let k = 1; k <= this.o.order; k++) {
      ctx = ctx * BASE + code(h[h.length - k] as number);
      const seenCtx = this.bump(key(k, ctx, 0));
      const seen = this.bump(key(k, ctx, code(level) + 1));
      total += seenCtx === 0 ? 1 : 1 - seen / seenCtx;
    }
    const step = code(level) - code(h[h.length - 1] as number) + BASE;
    total += 1 - Math.min(1, this.bump(key(0, step, 0)) / this.o.stepFamiliar);
    return total / (this.o.order + 1);
  }

  /** Past the learnt range by more than `relearn` of its span. */
  private outgrown(v: number): boolean {
    const m = this.o.relearn * (this.hi - this.lo);
    return this.o.relearn > 0 && this.n >= this.o.warmup && (v > this.hi + m || v < this.lo - m);
  }

  update(p: MetricPoint): number {
    const v = p.value;
    if (!Number.isFinite(v)) return 0;
    if (this.outgrown(v)) {
      this.n = 0;
      this.lo = Number.POSITIVE_INFINITY;
      this.hi = Number.NEGATIVE_INFINITY;
      this.history = [];
      this.counts = new Map();
      this.update(p);
      return 1;
    }
    if (this.n < this.o.warmup) {
      this.lo = Math.min(this.lo, v);
      this.hi = Math.max(this.hi, v);
    }
    const level = this.level(v);
    const score = this.history.length < this.o.order ? 0 : this.surprise(level);
    this.history.push(level);
    if (this.history.length > this.o.order) this.history.shift();
    this.n++;
    return this.n <= this.o.warmup ? 0 : score;
  }

  snapshot(): DetectorState {
    return wrap(ID, VERSION, {
      options: asJson(this.o),
      n: this.n,
      lo: Number.isFinite(this.lo) ? this.lo : null,
      hi: Number.isFinite(this.hi) ? this.hi : null,
      history: [...this.history],
      counts: [...this.counts.entries()],
    });
  }
}

function checked(o: ContextNoveltyOptions): ContextNoveltyOptions {
  if (!Number.isInteger(o.order) || o.order < 1 || o.order > MAX_ORDER)
    throw new DetectorStateError(`${ID}: order must be an integer in 1..${MAX_ORDER}`);
  if (!Number.isInteger(o.levels) || o.levels < 2 || o.levels > SPAN)
    throw new DetectorStateError(`${ID}: levels must be an integer in 2..${SPAN}`);
  if (!(o.relearn >= 0)) throw new DetectorStateError(`${ID}: relearn must be at least 0`);
  return o;
}

export const contextNovelty: DetectorPlugin<'metric', ContextNoveltyOptions> = {
  id: ID,
  input: 'metric',
  description: 'surprise of the current level after the recent sequence of levels (contextual, CAD-like)',
  create: (over) => new ContextNovelty(checked(mergeOptions(ID, DEFAULTS, over))),
  restore: (snapshot) => {
    const s = unwrap(snapshot, ID, VERSION);
    return new ContextNovelty(checked(mergeOptions(ID, DEFAULTS, s.options)), s);
  },
};
