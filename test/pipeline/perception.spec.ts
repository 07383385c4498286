/**
 * Perception changes decisions, end to end on the example config repo: a benign daily peak is only
 * observed (no branch) with the reason in its record, and a crash loop's rollback is trusted more
 * when the logs show templates new in this release than when they are unchanged.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoWorld, DEMO_NOW, type DemoWorld, EXAMPLE_SIGNALS } from '../../engine/demo/setup.ts';
import type { MetricWindow, TelemetrySource } from '../../engine/perceive/index.ts';
import { telemetrySource } from '../../engine/perceive/index.ts';
import type { Outcome } from '../../engine/pipeline/run.ts';
import { runPlan } from '../../engine/pipeline/run.ts';
import { silentLogger } from '../../engine/telemetry/logger.ts';
import { branches } from './helpers.ts';

let world: DemoWorld;

beforeAll(async () => {
  world = await createDemoWorld();
});

afterAll(async () => {
  await world?.close();
});

async function plan(file: string, telemetry: TelemetrySource): Promise<Outcome> {
  const outcomes = await runPlan({
    repoDir: world.work,
    signalFiles: [join(EXAMPLE_SIGNALS, file)],
    signingKey: world.signingKey,
    pgp: world.pgp,
    now: DEMO_NOW,
    log: silentLogger(),
    telemetry,
  });
  expect(outcomes).toHaveLength(1);
  return outcomes[0] as Outcome;
}

const DAY = 86_400;
const END = Math.floor(DEMO_NOW.getTime() / 1000);
const PEAK_HOUR = DEMO_NOW.getUTCHours();

/** Seven days at 5-minute steps peaking every day at the incident's hour, deterministic noise. */
function daily(name: string, base: number, amp: number, noise: number): MetricWindow {
  const points: Array<[number, number]> = [];
  for (let t = END - 7 * DAY; t <= END; t += 300) {
    const h = (t % DAY) / 3600;
    const d = Math.min(Math.abs(h - PEAK_HOUR), 24 - Math.abs(h - PEAK_HOUR));
    points.push([t, base + amp * Math.exp(-(d * d) / 6) + (noise * (((t / 300) * 7919) % 11)) / 11]);
  }
  return { name, points };
}

describe('perception in the pipeline', () => {
  it('only observes an HPA at its maximum at the daily peak it reaches every day, and says why', async () => {
    const before = await branches(world.work);
    const telemetry = telemetrySource({
      targets: [
        {
          target: { cluster: 'staging', namespace: 'checkout', kind: 'HorizontalPodAutoscaler', name: 'checkout' },
          metrics: [daily('replicas', 1, 2, 0.1), daily('error-rate', 0.004, 0.002, 0.0005)],
          logs: [],
        },
      ],
    });
    const o = await plan('hpa-maxed-checkout-staging.json', telemetry);
    expect(o.result.kind).toBe('observe');
    if (o.result.kind !== 'observe') return;
    const risk = o.result.remediation.incident.risk;
    expect(risk.score).toBeLessThan(0.4);
    expect(o.result.remediation.decision.rules).toContainEqual(
      expect.objectContaining({ id: 'admission.risk-below-threshold', effect: 'advisory' }),
    );
    expect(o.branch).toBeNull();
    expect(await branches(world.work)).toEqual(before);
    const record = fs.readFileSync(o.observation as string, 'utf8');
    expect(record).toContain('admission.risk-below-threshold');
    expect(record).toMatch(/`error-rate` = [0-9.]+ at `[0-9T:.-]+Z`: inside the band/);
    // A window inside its band is evidence of normality: it lowers the risk (no window would weigh 0).
    expect(record).toMatch(/\| metric-anomaly \| -[1-9][0-9.]* \| [^|]*inside its seasonal band/);
    expect(record).toContain('90 % interval');
  });

  it('automates a CPU limit raise in staging when the throttling ratio is far outside its daily band', async () => {
    const ratio = daily('cpu-throttling-ratio', 0.05, 0.1, 0.02);
    const last = ratio.points.at(-1) as [number, number];
    ratio.points[ratio.points.length - 1] = [last[0], 0.85];
    const o = await plan(
      'cpu-throttling-catalog-staging.json',
      telemetrySource({
        targets: [
          {
            target: { cluster: 'staging', namespace: 'catalog', kind: 'Deployment', name: 'catalog' },
            metrics: [ratio],
            logs: [],
          },
        ],
      }),
    );
    if (o.result.kind !== 'publish') throw new Error(`expected publish, got ${o.result.kind}`);
    const rem = o.result.remediation;
    expect(rem.decision.mode).toBe('automate');
    expect(rem.incident.risk.score).toBeGreaterThan(0.8);
    expect(rem.decision.rules.map((r) => r.id)).not.toContain('merge.uncertain-risk');
    expect(o.result.request.pr.body).toMatch(/`cpu-throttling-ratio` = 0\.850 at [^:]+:[^:]+:[^:]+: outside the band/);
  });

  it('trusts a rollback more when the crash loop logs templates new in this release than when they are unchanged', async () => {
    const baseline = Array.from({ length: 120 }, (_, i) =>
      i % 3 === 0 ? `GET /api/cart 200 in ${10 + (i % 17)} ms` : `order ${1000 + i} priced in ${i % 9} ms`,
    );
    const withLogs = (current: string[]) =>
      telemetrySource({
        targets: [
          {
            target: { cluster: 'production', namespace: 'checkout', kind: 'Deployment', name: 'checkout' },
            metrics: [],
            logs: [{ container: 'checkout', baseline, current }],
          },
        ],
      });
    const fresh = await plan(
      'crashloop-checkout-production.json',
      withLogs([
        ...baseline.slice(0, 10),
        ...Array.from(
          { length: 12 },
          () => 'Exception in thread "main" java.lang.NoSuchMethodError: `Price.asMoney()` | boom',
        ),
      ]),
    );
    const unchanged = await plan('crashloop-checkout-production.json', withLogs(baseline.slice(0, 40)));
    for (const o of [fresh, unchanged])
      if (o.result.kind !== 'publish') throw new Error(`expected publish, got ${o.result.kind}`);
    if (fresh.result.kind !== 'publish' || unchanged.result.kind !== 'publish') return;
    const a = fresh.result.remediation;
    const b = unchanged.result.remediation;
    expect(a.action.id).toBe('rollback-image');
    expect(a.incident.risk.confidence).toBeGreaterThan(0.8);
    expect(b.incident.risk.confidence).toBeLessThan(a.incident.risk.confidence - 0.3);
    expect(a.decision.rules.map((r) => r.id)).not.toContain('merge.low-confidence');
    expect(b.decision.rules.map((r) => r.id)).toContain('merge.low-confidence');
    // The new template is evidence in the PR, as inert text: its backticks and pipe cannot break out.
    expect(fresh.result.request.pr.body).toContain(
      '12× `` Exception in thread "main" java.lang.NoSuchMethodError: `Price.asMoney()` | boom ``',
    );
  });
});
