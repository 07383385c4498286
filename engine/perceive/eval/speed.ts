/** Speed of one incident's perception: seven days of 5-minute windows and a release's logs. */
import type { Signal } from '../../model/index.ts';
import type { Telemetry } from '../perception/telemetry.ts';
import { scoreRisk } from '../risk.ts';

const DAY = 86_400;

export function incidentFixture(end = 1_750_000_000): { signals: Signal[]; telemetry: Telemetry } {
  const window = (name: string, base: number, amp: number) => {
    const points: Array<[number, number]> = [];
    for (let t = end - 7 * DAY, i = 0; t <= end; t += 300, i++)
      points.push([t, base + amp * Math.sin((2 * Math.PI * (t % DAY)) / DAY) + ((i * 7919) % 13) / 13]);
    return { name, points };
  };
  const line = (i: number) =>
    i % 5 === 0 ? `GET /api/items/${i} 200 in ${i % 40} ms` : `order ${i} priced for user ${i * 7} in ${i % 9} ms`;
  return {
    signals: [
      {
        id: 's1',
        source: 'alertmanager',
        kind: 'CrashLoopBackOff',
        status: 'firing',
        target: { cluster: 'c', namespace: 'shop', kind: 'Deployment', name: 'web' },
        pod: 'web-6d8f9c7b5d-x1',
        observedAt: new Date(end * 1000).toISOString(),
        labels: { severity: 'warning' },
        evidence: [{ source: 'pod', summary: 'restarts', data: { restartCount: 5 } }],
      },
    ],
    telemetry: {
      metrics: [
        window('memory-working-set-ratio', 0.5, 0.1),
        window('error-rate', 0.01, 0.005),
        window('cpu-throttling-ratio', 0.1, 0.05),
      ],
      logs: [
        {
          container: 'web',
          baseline: Array.from({ length: 2000 }, (_, i) => line(i)),
          current: [
            ...Array.from({ length: 400 }, (_, i) => line(i + 5000)),
            ...Array.from({ length: 100 }, (_, i) => `NullPointerException at Checkout.java:${i % 3}`),
          ],
        },
      ],
    },
  };
}

/** Median milliseconds of `runs` perceptions of the fixture. */
export function timeIncident(runs = 21): number {
  const { signals, telemetry } = incidentFixture();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    scoreRisk(signals, telemetry);
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[runs >> 1] as number;
}
