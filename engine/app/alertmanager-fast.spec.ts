import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alertmanagerPayload, fuzzSeed } from '../../test/fuzz/arbitraries.ts';
import { AlertmanagerPayload } from '../intake/alertmanager-schema.ts';
import { readAlertmanagerBody } from './alertmanager.ts';
import { fastPayload } from './alertmanager-fast.ts';

/** A body as Alertmanager sends it (the intake bench's). */
function alertPayload(owner: number, i: number): string {
  return JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="KubePodCrashLooping",deployment="app-${owner}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'salve',
    groupLabels: { alertname: 'KubePodCrashLooping' },
    commonLabels: { alertname: 'KubePodCrashLooping' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: [
      {
        status: 'firing',
        labels: {
          alertname: 'KubePodCrashLooping',
          namespace: 'shop',
          deployment: `app-${owner}`,
          pod: `app-${owner}-${i}`,
        },
        annotations: { summary: 'Pod is crash looping.' },
        startsAt: '2025-03-04T09:58:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus:9090/graph',
        fingerprint: `${owner}-${i}`,
      },
    ],
  });
}

/** The schema's output as JSON (key order included: an alert's JSON is hashed into its version), or null. */
function bySchema(v: unknown): string | null {
  const r = AlertmanagerPayload.safeParse(v);
  return r.success ? JSON.stringify(r.data) : null;
}

describe('app/alertmanager-fast', () => {
  it('gives what the schema gives, or leaves the payload to it (hostile payloads, through JSON)', () => {
    let taken = 0;
    let refusedBySchema = 0;
    fc.assert(
      fc.property(alertmanagerPayload, (p) => {
        const v: unknown = JSON.parse(JSON.stringify(p) ?? 'null');
        const fast = fastPayload(v);
        const schema = bySchema(v);
        if (schema === null) refusedBySchema++;
        if (fast === null) return;
        taken++;
        expect(JSON.stringify(fast)).toBe(schema);
      }),
      { numRuns: 2000, seed: fuzzSeed(11) },
    );
    // Not vacuous: most generated payloads are valid and taken, some are refused by the schema.
    expect(taken).toBeGreaterThan(500);
    expect(refusedBySchema).toBeGreaterThan(100);
  });

  it('takes a body as Alertmanager sends it, strips unknown keys and fills defaults as the schema does', () => {
    const v = JSON.parse(alertPayload(3, 7));
    v.extra = { nested: true };
    v.alerts[0].silenceURL = 'http://x';
    delete v.truncatedAlerts;
    const fast = fastPayload(v);
    expect(fast).not.toBeNull();
    expect(JSON.stringify(fast)).toBe(bySchema(v));
    expect(fast?.truncatedAlerts).toBe(0);
    expect(fast?.alerts[0]).not.toHaveProperty('silenceURL');
  });

  it('leaves to the schema what it cannot vouch for', () => {
    const base = () => JSON.parse(alertPayload(1, 1));
    // [field path, value] that makes the payload invalid.
    const cases: Array<[string[], unknown]> = [
      [['truncatedAlerts'], 1.5],
      [['truncatedAlerts'], -1],
      [['truncatedAlerts'], 2 ** 60],
      [['version'], 4],
      [['alerts', '0', 'startsAt'], '2025-02-30T00:00:00Z'],
      [['alerts', '0', 'fingerprint'], ''],
      [['alerts', '0', 'labels', 'pod'], 7],
      [['alerts', '0', 'endsAt'], null],
      [['groupLabels'], []],
      [['alerts'], {}],
    ];
    for (const [path, value] of cases) {
      const v = base();
      const last = path.pop() as string;
      let at: Record<string, unknown> = v;
      for (const k of path) at = at[k] as Record<string, unknown>;
      at[last] = value;
      expect(fastPayload(v)).toBeNull();
      expect(bySchema(v)).toBeNull();
    }
    const proto = JSON.parse('{"__proto__":"x","a":"b"}');
    const v = base();
    v.commonLabels = proto;
    expect(fastPayload(v)).toBeNull();
    expect(JSON.parse(bySchema(v) ?? '{}').commonLabels).toEqual({ a: 'b' });
  });

  it('still explains a refused body through the schema', () => {
    const v = JSON.parse(alertPayload(1, 1));
    v.alerts[0].fingerprint = '';
    expect(() => readAlertmanagerBody(JSON.stringify(v))).toThrow(/alertmanager payload: .*fingerprint/);
  });
});
