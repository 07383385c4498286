/**
 * The labelled data fusion is fitted and calibrated on, as feature vectors with a group (for
 * splitting) and a source:
 *
 * - Nezha (development half): one vector per (faulted service, minute), label from the fault list;
 * - NAB: one vector per labelled window (its first half) and per window-wide stretch outside every
 *   window, the metric feature being the highest per-point anomaly in it;
 * - synthetic incident scenarios (./synthetic.ts).
 */
import { loadCorpus } from '../eval/nab/corpus.ts';
import { probationaryLength } from '../eval/nab/scorer.ts';
import { loadFaults, loadLogs, loadMetrics, loadReferenceLogs } from '../eval/nezha/data.ts';
import { dayMinutes, type Minute } from '../eval/nezha/minutes.ts';
import { emptyVector, type FeatureVector } from '../perception/features.ts';
import { MetricScorer } from '../perception/metric-features.ts';
import { type LabelledVector, syntheticVectors } from './synthetic.ts';

export type Source = 'nezha' | 'nab' | 'synthetic';
export interface Labelled extends LabelledVector {
  source: Source;
}

const CODE_FAULTS = new Set(['return', 'exception']);

export const NEZHA_DATES = ['2022-08-22', '2023-01-29'];

export function minuteVector(m: Minute): FeatureVector {
  const x = emptyVector();
  x['metric-missing'] = m.metric === null ? 1 : 0;
  x['metric-anomaly'] = m.metric ?? 0;
  x['log-missing'] = m.log === null ? 1 : 0;
  x['log-novel-share'] = m.log?.novelShare ?? 0;
  x['log-distance'] = m.log?.distance ?? 0;
  return x;
}

export async function nezhaMinutes(root: string, dates = NEZHA_DATES): Promise<Minute[]> {
  const faults = await loadFaults(root);
  const out: Minute[] = [];
  for (const date of dates)
    out.push(
      ...dayMinutes(
        date,
        faults,
        await loadMetrics(root, date),
        await loadLogs(root, date),
        await loadReferenceLogs(root, date),
      ),
    );
  return out;
}

/** The group a minute splits by: its fault, or its service-hour when fault-free. */
export function minuteGroup(m: Minute): string {
  return m.fault ? `nezha/${m.fault.id}` : `nezha/${m.date}/${m.service}/${Math.floor(m.t / 3600)}`;
}

export function nezhaVectors(minutes: readonly Minute[]): Labelled[] {
  return minutes.flatMap((m) =>
    m.label === null
      ? []
      : [
          {
            source: 'nezha' as const,
            group: minuteGroup(m),
            x: minuteVector(m),
            risk: m.label,
            // Inside a fault: was it a code change (injected return or exception) or a resource fault?
            cause: m.fault ? (CODE_FAULTS.has(m.fault.type) ? 1 : 0) : null,
          },
        ],
  );
}

export async function nabVectors(root: string, only?: (name: string) => boolean): Promise<Labelled[]> {
  const out: Labelled[] = [];
  for (const s of await loadCorpus(root, only)) {
    const scorer = new MetricScorer();
    const score = Float64Array.from(s.values, (v, i) => scorer.update(s.times[i] as number, v).score);
    const start = probationaryLength(s.values.length);
    const width = s.windows[0] ? s.windows[0].end - s.windows[0].start + 1 : Math.floor(s.values.length / 10);
    const max = (a: number, b: number) => {
      let m = 0;
      for (let i = Math.max(a, start); i <= Math.min(b, s.values.length - 1); i++) m = Math.max(m, score[i] as number);
      return m;
    };
    const inside = (i: number) => s.windows.some((w) => i >= w.start - width && i <= w.end + width);
    const vector = (anomaly: number) => {
      const x = emptyVector();
      x['metric-anomaly'] = anomaly;
      x['log-missing'] = 1;
      return x;
    };
    s.windows.forEach((w, k) => {
      if (w.end < start) return;
      out.push({
        source: 'nab',
        group: `nab/${s.name}`,
        x: vector(max(w.start, w.start + Math.floor((w.end - w.start) / 2))),
        risk: 1,
        cause: null,
      });
      void k;
    });
    for (let a = start; a + width <= s.values.length; a += width)
      if (!inside(a) && !inside(a + width - 1))
        out.push({
          source: 'nab',
          group: `nab/${s.name}`,
          x: vector(max(a, a + Math.floor(width / 2))),
          risk: 0,
          cause: null,
        });
  }
  return out;
}

export function synthetic(perScenario: number): Labelled[] {
  return syntheticVectors(perScenario).map((v) => ({ ...v, source: 'synthetic' as const }));
}
