/**
 * cad-ose: a contextual anomaly detector after the description of CAD OSE (Contextual Anomaly
 * Detector, Open Source Edition; NAB scoreboard 69.9 standard), written here from that
 * description. Each value becomes a few sensor facts (facts.ts). The facts of the previous step,
 * with the strongest contexts that were confirmed at it, form the left semantic; every stored
 * context whose left side lies inside it predicts its right side for this step (contexts.ts).
 * The score is the mean of the share of those predictions that failed and the share of the
 * contexts this step proposes (the plain left → facts pair, and each failed context crossed with
 * what did happen) that were never seen: (1 − confirmed/predicting + new/proposed) / 2.
 *
 * After a score at or above `alarm`, the detector reports 0 for `rest` points (one alarm per
 * episode). The dictionary holds at most `maxContexts` contexts, so an update is bounded. The
 * value range is learnt from the first `learn` points (the published run was given each file's
 * whole range, which an online detector cannot know); a value past it by more than `restartMargin`
 * of its span makes the detector learn anew, quiet for `restartQuiet` points.
 */
import { asJson, mergeOptions } from '../options.ts';
import { DetectorStateError, num, nums, unwrap, wrap } from '../state.ts';
import type { Detector, DetectorPlugin, DetectorState, JsonValue, MetricPoint } from '../types.ts';
import { ContextBook, NEURON } from './contexts.ts';
import { level, facts as sensorFacts } from './facts.ts';
import { step } from './step.ts';

export interface CadOseOptions {
  /** The value range is cut into 2^bits levels. */
  bits: number;
  /** Points whose range fixes the levels; 0: the range of every point seen so far. */
  learn: number;
  /** At most this many facts in a new context's left semantic (sensor facts first). */
  maxLeft: number;
  /** Confirmed contexts carried into the next left semantic. */
  maxActive: number;
  maxContexts: number;
  alarm: number;
  rest: number;
  /** Past the frozen range by more than this share of its span (its width again: 1), the detector learns anew (0: never). */
  restartMargin: number;
  /** Points reported as 0 after a restart. */
  restartQuiet: number;
  /** A score at the alarm level while quiet restarts the quiet period (quiet until `rest` calm points). */
  extend: boolean;
}

export const DEFAULTS: CadOseOptions = {
  bits: 3,
  learn: 450,
  maxLeft: 7,
  maxActive: 15,
  maxContexts: 20_000,
  alarm: 0.75,
  rest: 100,
  extend: false,
  restartMargin: 1,
  restartQuiet: 150,
};

const ID = 'cad-ose';
const VERSION = 1;

export interface CadState {
  n: number;
  lo: number;
  hi: number;
  /** The left semantic of the next step, in priority order (sensor facts, then contexts by strength). */
  left: number[];
  quiet: number;
}

class CadOse implements Detector<'metric'> {
  readonly id = ID;
  private book: ContextBook;
  private s: CadState = { n: 0, lo: Number.POSITIVE_INFINITY, hi: Number.NEGATIVE_INFINITY, left: [], quiet: 0 };

  constructor(
    private readonly o: CadOseOptions,
    state?: Record<string, JsonValue>,
  ) {
    this.book = new ContextBook(o.maxContexts);
    if (state) this.restoreFrom(state);
  }

  private restoreFrom(state: Record<string, JsonValue>) {
    const lo = state.lo;
    const hi = state.hi;
    this.s = {
      n: num(state, 'n', ID),
      lo: typeof lo === 'number' ? lo : Number.POSITIVE_INFINITY,
      hi: typeof hi === 'number' ? hi : Number.NEGATIVE_INFINITY,
      left: nums(state, 'left', ID, this.o.maxActive + 64),
      quiet: num(state, 'quiet', ID),
    };
    const cs = state.contexts;
    if (!Array.isArray(cs) || cs.length > this.o.maxContexts)
      throw new DetectorStateError(`${ID} snapshot: contexts is not a list of at most ${this.o.maxContexts}`);
    for (const c of cs) {
      const [l, r, conf] = Array.isArray(c) ? c : [];
      if (!facts(l) || !facts(r) || typeof conf !== 'number' || this.book.add(l, r, false, conf) < 0)
        throw new DetectorStateError(`${ID} snapshot: a context is not a new [left facts, right facts, confirmed]`);
    }
    const zero = state.zero;
    if (
      !Array.isArray(zero) ||
      !zero.every((id) => Number.isInteger(id) && (id as number) >= 0 && (id as number) < cs.length)
    )
      throw new DetectorStateError(`${ID} snapshot: zero is not a list of context ids`);
    for (const id of zero) this.book.markZero(id as number);
  }

  update(p: MetricPoint): number {
    const v = p.value;
    if (!Number.isFinite(v)) return 0;
    const s = this.s;
    if (this.o.learn === 0 || s.n < this.o.learn) {
      s.lo = Math.min(s.lo, v);
      s.hi = Math.max(s.hi, v);
    }
    s.n++;
    const sensed = sensorFacts(level(v, s, this.o.bits), this.o.bits);
    const { score, left } = step(this.book, s.left, sensed, this.o);
    s.left = left;
    const quiet = s.quiet > 0;
    if (quiet) s.quiet--;
    if (score >= this.o.alarm && (!quiet || this.o.extend)) s.quiet = this.o.rest;
    if (this.outgrown(v)) this.restart(v);
    return quiet ? 0 : score;
  }

  /** A value past the frozen range by more than `restartMargin` of its span. */
  private outgrown(v: number): boolean {
    const { lo, hi, n } = this.s;
    const m = this.o.restartMargin * (hi - lo);
    return this.o.restartMargin > 0 && this.o.learn > 0 && n > this.o.learn && (v > hi + m || v < lo - m);
  }

  /** Learns anew from `v`: a new range and an empty dictionary, quiet while it learns. */
  private restart(v: number) {
    this.book = new ContextBook(this.o.maxContexts);
    this.s = { n: 1, lo: v, hi: v, left: [], quiet: Math.max(this.s.quiet, this.o.restartQuiet) };
  }

  snapshot(): DetectorState {
    const s = this.s;
    return wrap(ID, VERSION, {
      options: asJson(this.o),
      n: s.n,
      lo: Number.isFinite(s.lo) ? s.lo : null,
      hi: Number.isFinite(s.hi) ? s.hi : null,
      left: [...s.left],
      quiet: s.quiet,
      contexts: this.book.contexts.map((c) => [c.left, c.right, c.confirmed]),
      // Zero-level contexts in the order they became so (their crossing order).
      zero: [...this.book.zeroByLeft.values()].flatMap((g) => g.ids),
    });
  }
}

const facts = (x: JsonValue | undefined): x is number[] =>
  Array.isArray(x) &&
  x.length > 0 &&
  x.length <= 256 &&
  x.every((f) => typeof f === 'number' && Number.isInteger(f) && f >= 0 && f < 2 * NEURON);

function checked(o: CadOseOptions): CadOseOptions {
  const int = (k: Exclude<keyof CadOseOptions, 'extend' | 'restartMargin'>, lo: number, hi: number) => {
    if (!Number.isInteger(o[k]) || o[k] < lo || o[k] > hi)
      throw new DetectorStateError(`${ID}: ${k} must be an integer in ${lo}..${hi}`);
  };
  int('bits', 1, 8);
  int('learn', 0, 1_000_000);
  int('maxLeft', 1, 64);
  int('maxActive', 0, 64);
  int('maxContexts', 1, NEURON - 1);
  int('rest', 0, 1_000_000);
  int('restartQuiet', 0, 1_000_000);
  if (!(o.restartMargin >= 0)) throw new DetectorStateError(`${ID}: restartMargin must be at least 0`);
  return o;
}

export const cadOse: DetectorPlugin<'metric', CadOseOptions> = {
  id: ID,
  input: 'metric',
  description: 'contextual anomaly detector (CAD OSE): share of failed context predictions and of new contexts',
  create: (over) => new CadOse(checked(mergeOptions(ID, DEFAULTS, over))),
  restore: (snapshot) => {
    const s = unwrap(snapshot, ID, VERSION);
    return new CadOse(checked(mergeOptions(ID, DEFAULTS, s.options)), s);
  },
};
