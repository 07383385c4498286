/**
 * Log evidence for one incident: the baseline lines (previous revision or previous container)
 * teach a Drain miner; each current line is matched against those templates without learning, and
 * the lines that match none are mined into new templates. log-novelty then compares the current
 * counts with the baseline's. Template text is data from the workload: it is carried as a string
 * and rendered as inert text by the explanation.
 */
import { logNovelty } from '../detectors/log-novelty/index.ts';
import { DEFAULT_DRAIN, DrainMiner } from '../logs/drain.ts';
import type { LogWindow } from './telemetry.ts';

export interface LogEvidence {
  kind: 'log';
  container: string | null;
  baselineLines: number;
  currentLines: number;
  novelShare: number;
  rarity: number;
  distance: number;
  /** Templates new in the current lines, most frequent first (at most `MAX_NOVEL_SHOWN`). */
  novel: Array<{ template: string; count: number }>;
}

export const MAX_NOVEL_SHOWN = 5;
const MAX_TEMPLATE_CHARS = 200;

/** null when there is nothing to compare: no baseline or no current lines. */
export function logEvidence(w: LogWindow): LogEvidence | null {
  if (w.baseline.length === 0 || w.current.length === 0) return null;
  const miner = new DrainMiner(DEFAULT_DRAIN);
  const baseline: Record<string, number> = {};
  for (const line of w.baseline) {
    const id = miner.add(line).id;
    baseline[id] = (baseline[id] ?? 0) + 1;
  }
  const fresh = new DrainMiner(DEFAULT_DRAIN);
  const current: Record<string, number> = {};
  for (const line of w.current) {
    const hit = miner.match(line);
    const id = hit ? hit.id : `new:${fresh.add(line).id}`;
    current[id] = (current[id] ?? 0) + 1;
  }
  const detector = logNovelty.create({ learn: false });
  detector.learn({ t: 0, counts: baseline });
  const f = detector.features({ t: 1, counts: current });
  return {
    kind: 'log',
    container: w.container ?? null,
    baselineLines: w.baseline.length,
    currentLines: w.current.length,
    novelShare: f.novelShare,
    rarity: f.rarity,
    distance: f.distance,
    novel: f.novel
      .slice(0, MAX_NOVEL_SHOWN)
      .map((n) => ({
        template: (n.id.startsWith('new:') ? fresh.template(n.id.slice(4)) : miner.template(n.id)) ?? n.id,
        count: n.count,
      }))
      .map((n) => ({ ...n, template: n.template.slice(0, MAX_TEMPLATE_CHARS) })),
  };
}
