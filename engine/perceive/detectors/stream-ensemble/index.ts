/**
 * stream-ensemble: salve's detector for a single metric stream. It runs context-novelty and
 * ewma-likelihood side by side and reports max(0.95·c + 0.05·z, z): the contextual surprise c,
 * ordered within its ties by the likelihood z, or z alone when it is the stronger. After a score at
 * or above `alarm`, it stays quiet for `rest` points (one alarm per episode, not one per point).
 * context-novelty cuts its range into `levels` levels, reads contexts of up to `order` levels, and
 * learns anew when a value leaves its range by more than `relearn` of the span (a level shift is
 * one alarm and a new regime, not a long run of novel points). One configuration for every stream.
 */
import { contextNovelty } from '../context-novelty/index.ts';
import { ewmaLikelihood } from '../ewma-likelihood/index.ts';
import { asJson, mergeOptions } from '../options.ts';
import { DetectorStateError, num, unwrap, wrap } from '../state.ts';
import type { Detector, DetectorPlugin, DetectorState, JsonValue, MetricPoint } from '../types.ts';

export interface StreamEnsembleOptions {
  alarm: number;
  rest: number;
  tie: number;
  /** Points before context-novelty scores (ewma-likelihood waits twice as long). */
  warmup: number;
  levels: number;
  margin: number;
  order: number;
  relearn: number;
}

export const DEFAULTS: StreamEnsembleOptions = {
  alarm: 0.95,
  rest: 100,
  tie: 0.05,
  warmup: 150,
  levels: 10,
  margin: 0.2,
  order: 4,
  relearn: 1,
};

const ID = 'stream-ensemble';
const VERSION = 1;

function inner(state: Record<string, JsonValue>, key: string): DetectorState {
  const v = state[key];
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new DetectorStateError(`${ID} snapshot: ${key} is not a detector state`);
  return v as unknown as DetectorState;
}

class StreamEnsemble implements Detector<'metric'> {
  readonly id = ID;
  private readonly context: Detector<'metric'>;
  private readonly ewma: Detector<'metric'>;
  private quiet = 0;

  constructor(
    private readonly o: StreamEnsembleOptions,
    state?: Record<string, JsonValue>,
  ) {
    this.context = state
      ? contextNovelty.restore(inner(state, 'context'))
      : contextNovelty.create({
          warmup: o.warmup,
          levels: o.levels,
          margin: o.margin,
          order: o.order,
          relearn: o.relearn,
        });
    this.ewma = state ? ewmaLikelihood.restore(inner(state, 'ewma')) : ewmaLikelihood.create({ warmup: 2 * o.warmup });
    if (state) this.quiet = num(state, 'quiet', ID);
  }

  update(p: MetricPoint): number {
    const c = this.context.update(p);
    const z = this.ewma.update(p);
    const score = Math.max(c * (1 - this.o.tie) + this.o.tie * z, z);
    if (this.quiet > 0) {
      this.quiet--;
      return 0;
    }
    if (score >= this.o.alarm) this.quiet = this.o.rest;
    return score;
  }

  snapshot(): DetectorState {
    return wrap(ID, VERSION, {
      options: asJson(this.o),
      quiet: this.quiet,
      context: asJson(this.context.snapshot()),
      ewma: asJson(this.ewma.snapshot()),
    });
  }
}

export const streamEnsemble: DetectorPlugin<'metric', StreamEnsembleOptions> = {
  id: ID,
  input: 'metric',
  description: 'context-novelty and ewma-likelihood together, one alarm per episode',
  create: (over) => new StreamEnsemble(mergeOptions(ID, DEFAULTS, over)),
  restore: (snapshot) => {
    const s = unwrap(snapshot, ID, VERSION);
    return new StreamEnsemble(mergeOptions(ID, DEFAULTS, s.options), s);
  },
};
