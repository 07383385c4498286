/**
 * log-novelty: how different a batch of log templates is from the workload's baseline (its
 * previous revision's logs, or the batches seen so far). Three measures, each in [0, 1]:
 *
 * - `novelShare`: the share of the batch's lines whose template the baseline never saw;
 * - `rarity`: the mean surprise −log p(template) of the batch's lines under the baseline
 *   (add-½ smoothing), divided by the surprise of a never-seen template;
 * - `distance`: the cosine distance between the batch's count vector and the baseline's
 *   (templates that went missing count too: a skipped code path shows here).
 *
 * The score is max(novelShare, distance). With `learn`, each batch joins the baseline after it is
 * scored. The baseline keeps at most `maxTemplates` templates. Work per batch is linear in the
 * batch's distinct templates (the baseline's norm is kept up to date incrementally).
 */
import { asJson, mergeOptions } from '../options.ts';
import { DetectorStateError, num, unwrap, wrap } from '../state.ts';
import type { Detector, DetectorState, JsonValue, LogBatch, RichDetectorPlugin } from '../types.ts';

export interface LogNoveltyOptions {
  learn: boolean;
  maxTemplates: number;
  /** A batch with fewer lines than this scores 0 (too little to judge). */
  minLines: number;
}

export const DEFAULTS: LogNoveltyOptions = { learn: true, maxTemplates: 4096, minLines: 5 };

export interface LogNoveltyFeatures {
  lines: number;
  novelShare: number;
  rarity: number;
  distance: number;
  /** Templates the baseline never saw, most frequent first, with their counts in the batch. */
  novel: Array<{ id: string; count: number }>;
}

const ID = 'log-novelty';
const VERSION = 1;

export class LogNovelty implements Detector<'log'> {
  readonly id = ID;
  private readonly baseline = new Map<string, number>();
  private total = 0;
  private normSq = 0;

  constructor(
    private readonly o: LogNoveltyOptions,
    state?: Record<string, JsonValue>,
  ) {
    if (!state) return;
    const b = state.baseline;
    if (!Array.isArray(b) || b.length > o.maxTemplates)
      throw new DetectorStateError(`${ID} snapshot: baseline is not a list of at most ${o.maxTemplates} entries`);
    for (const e of b) {
      if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'number' || !(e[1] >= 0))
        throw new DetectorStateError(`${ID} snapshot: a baseline entry is not [template, count]`);
      this.add(e[0], e[1]);
    }
    if (num(state, 'total', ID) !== this.total) throw new DetectorStateError(`${ID} snapshot: total disagrees`);
  }

  private add(id: string, n: number): void {
    const b = this.baseline.get(id);
    if (b === undefined && this.baseline.size >= this.o.maxTemplates) return;
    const before = b ?? 0;
    this.baseline.set(id, before + n);
    this.normSq += (before + n) ** 2 - before ** 2;
    this.total += n;
  }

  /** Learns a batch as baseline without scoring it (the previous revision's logs). */
  learn(batch: LogBatch): void {
    for (const [id, n] of Object.entries(batch.counts)) if (n > 0) this.add(id, n);
  }

  features(batch: LogBatch): LogNoveltyFeatures {
    const entries = Object.entries(batch.counts).filter(([, n]) => n > 0);
    const lines = entries.reduce((s, [, n]) => s + n, 0);
    if (lines === 0 || this.total === 0) return { lines, novelShare: 0, rarity: 0, distance: 0, novel: [] };
    const vocabulary = this.baseline.size + 1;
    const unseen = -Math.log(0.5 / (this.total + 0.5 * vocabulary));
    let novelLines = 0;
    let surprise = 0;
    let dot = 0;
    let batchSq = 0;
    const novel: LogNoveltyFeatures['novel'] = [];
    for (const [id, n] of entries) {
      const b = this.baseline.get(id) ?? 0;
      if (b === 0) {
        novelLines += n;
        novel.push({ id, count: n });
      }
      surprise += n * -Math.log((b + 0.5) / (this.total + 0.5 * vocabulary));
      dot += n * b;
      batchSq += n * n;
    }
    novel.sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : 1));
    const cosine = dot / (Math.sqrt(batchSq) * Math.sqrt(this.normSq));
    return {
      lines,
      novelShare: novelLines / lines,
      rarity: Math.min(1, surprise / lines / unseen),
      distance: Math.max(0, Math.min(1, 1 - cosine)),
      novel,
    };
  }

  update(batch: LogBatch): number {
    const f = this.features(batch);
    if (this.o.learn) this.learn(batch);
    if (f.lines < this.o.minLines) return 0;
    return Math.max(f.novelShare, f.distance);
  }

  snapshot(): DetectorState {
    return wrap(ID, VERSION, { options: asJson(this.o), total: this.total, baseline: [...this.baseline.entries()] });
  }
}

export const logNovelty: RichDetectorPlugin<'log', LogNoveltyOptions, LogNovelty> = {
  id: ID,
  input: 'log',
  description: 'share and rarity of log templates the baseline never saw, and the count-vector distance',
  create: (over) => new LogNovelty(mergeOptions(ID, DEFAULTS, over)),
  restore: (snapshot) => {
    const s = unwrap(snapshot, ID, VERSION);
    return new LogNovelty(mergeOptions(ID, DEFAULTS, s.options), s);
  },
};
