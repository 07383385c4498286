/**
 * On the model that ships: whether a modality was observed cannot move the risk by itself. Missing
 * telemetry weighs nothing in the attributions, and a log window that shows nothing new (the same
 * templates as its baseline) leaves the risk where the metrics and events put it.
 */
import { describe, expect, it } from 'vitest';
import { scenario } from '../fit/synthetic.ts';
import { scoreRisk } from '../risk.ts';
import { DEFAULT_MODEL } from './default-model.ts';
import { PRESENCE } from './features.ts';
import type { Telemetry } from './telemetry.ts';

/** The bound on any "no data" factor in an attribution (logit units). */
const MISSING_BOUND = 0.05;

const SCENARIOS = [
  'benign-daily-peak',
  'surge-off-peak',
  'oom-memory-at-limit',
  'crash-loop-new-templates',
  'crash-loop-unchanged-logs',
  'crash-loop-no-logs',
  'image-pull-failure',
];

/** Lines of a healthy service: the same few templates with varying numbers. */
const benign = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) =>
    (i + seed) % 3 === 0
      ? `GET /api/items/${i * 13 + seed} 200 in ${(i * 7) % 40} ms`
      : `order ${i * 31 + seed} priced for user ${i * 7} in ${i % 9} ms`,
  );

describe('perceive/perception: missing data is not evidence', () => {
  it('gives the missing-modality flags no weight in the shipped risk head or its bootstrap replicas', () => {
    for (const head of [DEFAULT_MODEL.risk, ...DEFAULT_MODEL.bootstrap])
      for (const { missing } of PRESENCE)
        expect(Math.abs(head.weights[missing] ?? 0)).toBeLessThanOrEqual(MISSING_BOUND);
    expect(Object.keys(DEFAULT_MODEL.risk.centers ?? {}).sort()).toEqual(PRESENCE.flatMap((m) => m.features).sort());
  });

  it('keeps every missing-data factor of every scenario within the bound, and says what it judged on', () => {
    for (const name of SCENARIOS)
      for (const seed of [1, 2, 3]) {
        const s = scenario(name, seed);
        for (const telemetry of [s.telemetry, { metrics: [], logs: [] }]) {
          const risk = scoreRisk(s.signals, telemetry);
          for (const a of risk.attributions.filter((a) => a.factor.endsWith('-missing')))
            expect(Math.abs(a.weight), `${name}/${seed} ${a.factor}`).toBeLessThanOrEqual(MISSING_BOUND);
        }
      }
    const noLogs = scenario('crash-loop-no-logs', 1);
    const detail = scoreRisk(noLogs.signals, noLogs.telemetry).attributions.find((a) => a.factor === 'log-missing');
    expect(detail?.weight).toBe(0);
    expect(detail?.detail).toMatch(/^no logs: judged on (metrics and )?events$/);
  });

  it('scores the same incident nearly the same with or without a log window of benign templates', () => {
    for (const name of SCENARIOS)
      for (const seed of [1, 2, 3]) {
        const s = scenario(name, seed);
        const without: Telemetry = { ...s.telemetry, logs: [] };
        const quiet: Telemetry = {
          ...s.telemetry,
          logs: [{ container: 'web', baseline: benign(400, seed), current: benign(200, seed + 1) }],
        };
        const a = scoreRisk(s.signals, without);
        const b = scoreRisk(s.signals, quiet);
        expect(
          b.evidence?.some((e) => e.kind === 'log'),
          name,
        ).toBe(true);
        expect(Math.abs(a.score - b.score), `${name}/${seed}: ${a.score} vs ${b.score}`).toBeLessThanOrEqual(0.02);
      }
  });
});
