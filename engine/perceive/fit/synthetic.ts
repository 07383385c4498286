/**
 * Synthetic incident scenarios for fitting fusion: each is a set of signals and telemetry built
 * from a seeded generator, run through the same feature extraction as a live incident, with a
 * label saying whether it needed a change (`risk`) and whether the release caused it (`cause`).
 *
 * The labels encode what an SRE would decide, including where they are unsure (flags with no
 * telemetry are labelled by a prior, drawn per scenario): a daily peak the workload reaches every
 * day is benign; the same flag off-peak with metrics out of band is not; a crash loop whose logs
 * show new templates is the release's fault, one whose logs are unchanged is usually not.
 */
import type { Signal, SignalKind } from '../../model/index.ts';
import { extractFeatures, type FeatureVector } from '../perception/features.ts';
import type { MetricWindow, Telemetry } from '../perception/telemetry.ts';
import { rng } from './logistic.ts';

export interface Scenario {
  name: string;
  seed: number;
  signals: Signal[];
  telemetry: Telemetry;
  risk: number;
  /** 1: the release is at fault; null: not a release question. */
  cause: number | null;
}

export interface LabelledVector {
  group: string;
  x: FeatureVector;
  risk: number;
  cause: number | null;
}

const DAY = 86_400;
const STEP = 600;
const DAYS = 3;
/** The incident happens at the end of the window: day 3 at `hour`. */
const END_DAY = 1_750_032_000 - (1_750_032_000 % DAY);

function signal(kind: SignalKind, i: number, at: number, extra: Partial<Signal> = {}, restarts = 0): Signal {
  return {
    id: `${kind}-${i}`,
    source: i % 2 === 0 ? 'alertmanager' : 'kubernetes',
    kind,
    status: 'firing',
    target: { cluster: 'c', namespace: 'shop', kind: 'Deployment', name: 'web' },
    pod: `web-6d8f9c7b5d-${String.fromCharCode(97 + (i % 26))}x${i}`,
    observedAt: new Date(at * 1000).toISOString(),
    labels: { severity: 'warning' },
    evidence: restarts > 0 ? [{ source: 'pod', summary: 'restarts', data: { restartCount: restarts } }] : [],
    ...extra,
  };
}

/** A diurnal series peaking at `peakHour`, ending at `end`; `shock` is added to the last points. */
function diurnal(
  name: string,
  r: () => number,
  o: { base: number; amp: number; noise: number; peakHour: number; end: number; shock?: number; ramp?: number },
): MetricWindow {
  const points: Array<[number, number]> = [];
  const n = (DAYS * DAY) / STEP;
  for (let i = 0; i < n; i++) {
    const t = o.end - (n - 1 - i) * STEP;
    const h = (t % DAY) / 3600;
    const d = Math.min(Math.abs(h - o.peakHour), 24 - Math.abs(h - o.peakHour));
    let v = o.base + o.amp * Math.exp(-(d * d) / 6) + o.noise * (r() - 0.5) * 2;
    if (o.ramp && i > n - 12) v += (o.ramp * (i - (n - 12))) / 12;
    if (o.shock && i >= n - 3) v += o.shock;
    points.push([t, v]);
  }
  return { name, points };
}

const NORMAL_LOGS = [
  'GET /api/cart 200 in 12 ms',
  'GET /api/items?page=3 200 in 40 ms',
  'POST /api/checkout 201 in 88 ms',
  'cache hit ratio 0.93 for items',
  'connected to postgres at 10.0.3.4:5432 pool size 10',
  'scheduled job cleanup finished in 230 ms',
  'user 8812 session refreshed',
  'served 412 requests in the last minute',
];
const RELEASE_LOGS = [
  'java.lang.IllegalStateException: required config key payments.endpoint is missing',
  'Application run failed: bean checkoutClient could not be created',
  'Caused by: java.lang.NoSuchMethodError: com.shop.Price.asMoney()',
];
const UNCHANGED_CRASH_LOGS = [
  'connected to postgres at 10.0.3.4:5432 pool size 10',
  'served 12 requests in the last minute',
];

function lines(r: () => number, templates: readonly string[], n: number): string[] {
  return Array.from({ length: n }, () =>
    (templates[Math.floor(r() * templates.length)] as string).replace(/\d+/g, (m) =>
      String(Number(m) + Math.floor(r() * 50)),
    ),
  );
}

type Maker = (r: () => number, seed: number) => Omit<Scenario, 'name' | 'seed'>;

const bern = (r: () => number, p: number) => (r() < p ? 1 : 0);

const MAKERS: Record<string, Maker> = {
  'benign-daily-peak': (r) => {
    const end = END_DAY + 14 * 3600 + Math.floor(r() * 4) * 600;
    return {
      signals: [signal('HPAMaxedOut', 0, end)],
      telemetry: {
        metrics: [
          diurnal('replicas', r, { base: 3, amp: 7, noise: 0.3, peakHour: 14, end }),
          diurnal('error-rate', r, { base: 0.004, amp: 0.003, noise: 0.0008, peakHour: 14, end }),
        ],
        logs: [],
      },
      risk: 0,
      cause: null,
    };
  },
  'surge-off-peak': (r) => {
    const end = END_DAY + (2 + Math.floor(r() * 4)) * 3600;
    return {
      signals: [signal('HPAMaxedOut', 0, end), ...(r() < 0.5 ? [signal('ErrorRateBreach', 1, end)] : [])],
      telemetry: {
        metrics: [
          diurnal('replicas', r, { base: 3, amp: 7, noise: 0.3, peakHour: 14, end, shock: 6 + 3 * r() }),
          diurnal('error-rate', r, { base: 0.004, amp: 0.003, noise: 0.0008, peakHour: 14, end, shock: 0.02 * r() }),
        ],
        logs: [],
      },
      risk: 1,
      cause: null,
    };
  },
  'oom-memory-at-limit': (r) => {
    const end = END_DAY + Math.floor(r() * 24) * 3600;
    const withMetrics = r() < 0.7;
    return {
      signals: [
        signal('OOMKilled', 0, end, {}, 1 + Math.floor(r() * 6)),
        ...(r() < 0.5 ? [signal('CrashLoopBackOff', 1, end)] : []),
      ],
      telemetry: {
        metrics: withMetrics
          ? [
              diurnal('memory-working-set-ratio', r, {
                base: 0.55,
                amp: 0.1,
                noise: 0.02,
                peakHour: 12,
                end,
                ramp: 0.4,
              }),
            ]
          : [],
        logs: [],
      },
      risk: 1,
      cause: null,
    };
  },
  'crash-loop-new-templates': (r) => {
    const end = END_DAY + Math.floor(r() * 24) * 3600;
    const base = lines(r, NORMAL_LOGS, 200);
    const current = [
      ...lines(r, NORMAL_LOGS, 10 + Math.floor(r() * 30)),
      ...lines(r, RELEASE_LOGS, 5 + Math.floor(r() * 20)),
    ];
    return {
      signals: [signal('CrashLoopBackOff', 0, end, {}, 3 + Math.floor(r() * 10))],
      telemetry: { metrics: [], logs: [{ container: 'web', baseline: base, current }] },
      risk: 1,
      cause: 1,
    };
  },
  'crash-loop-unchanged-logs': (r) => {
    const end = END_DAY + Math.floor(r() * 24) * 3600;
    const base = [...lines(r, NORMAL_LOGS, 200), ...lines(r, UNCHANGED_CRASH_LOGS, 40)];
    return {
      signals: [signal('CrashLoopBackOff', 0, end, {}, 3 + Math.floor(r() * 10))],
      telemetry: { metrics: [], logs: [{ container: 'web', baseline: base, current: lines(r, NORMAL_LOGS, 30) }] },
      risk: 1,
      cause: bern(r, 0.15),
    };
  },
  'crash-loop-no-logs': (r) => ({
    signals: [signal('CrashLoopBackOff', 0, END_DAY, {}, 1 + Math.floor(r() * 10))],
    telemetry: { metrics: [], logs: [] },
    risk: bern(r, 0.9),
    cause: bern(r, 0.6),
  }),
  'image-pull-failure': (r) => ({
    signals: [signal('ImagePullBackOff', 0, END_DAY)],
    telemetry: { metrics: [], logs: [] },
    risk: bern(r, 0.9),
    cause: bern(r, 0.85),
  }),
  'probe-blip': (r) => {
    const end = END_DAY + Math.floor(r() * 24) * 3600;
    return {
      signals: [signal('ProbeFailure', 0, end)],
      telemetry: {
        metrics: [diurnal('error-rate', r, { base: 0.004, amp: 0.003, noise: 0.0008, peakHour: 14, end })],
        logs: [],
      },
      risk: 0,
      cause: null,
    };
  },
  'throttling-at-peak': (r) => {
    const end = END_DAY + 14 * 3600;
    return {
      signals: [signal('CPUThrottling', 0, end)],
      telemetry: {
        metrics: [diurnal('cpu-throttling-ratio', r, { base: 0.05, amp: 0.25, noise: 0.02, peakHour: 14, end })],
        logs: [],
      },
      risk: 0,
      cause: null,
    };
  },
  'throttling-out-of-band': (r) => {
    const end = END_DAY + (3 + Math.floor(r() * 6)) * 3600;
    return {
      signals: [signal('CPUThrottling', 0, end)],
      telemetry: {
        metrics: [
          diurnal('cpu-throttling-ratio', r, {
            base: 0.05,
            amp: 0.25,
            noise: 0.02,
            peakHour: 14,
            end,
            shock: 0.4 + 0.3 * r(),
          }),
        ],
        logs: [],
      },
      risk: 1,
      cause: null,
    };
  },
  'flags-only': (r) => {
    const kinds: Array<[SignalKind, number]> = [
      ['OOMKilled', 0.95],
      ['HPAMaxedOut', 0.6],
      ['CPUThrottling', 0.7],
      ['ProbeFailure', 0.5],
      ['ErrorRateBreach', 0.85],
      ['LatencyBreach', 0.75],
      ['NodePressure', 0.8],
      ['FailedScheduling', 0.8],
      ['PodNotReady', 0.5],
    ];
    const [kind, prior] = kinds[Math.floor(r() * kinds.length)] as [SignalKind, number];
    const critical = r() < 0.3;
    const n = 1 + Math.floor(r() * 8);
    return {
      signals: Array.from({ length: n }, (_, i) =>
        signal(kind, i, END_DAY + i * 30, { labels: { severity: critical ? 'critical' : 'warning' } }),
      ),
      telemetry: { metrics: [], logs: [] },
      risk: bern(r, Math.min(0.98, prior + (critical ? 0.1 : 0) + 0.02 * n)),
      cause: null,
    };
  },
};

export const SCENARIOS = Object.keys(MAKERS);

export function scenario(name: string, seed: number): Scenario {
  const maker = MAKERS[name];
  if (!maker) throw new Error(`no scenario ${name}`);
  return { name, seed, ...maker(rng(seed * 7919 + name.length), seed) };
}

/** `perScenario` seeded instances of every scenario, as labelled feature vectors. */
export function syntheticVectors(perScenario: number, firstSeed = 1): LabelledVector[] {
  const out: LabelledVector[] = [];
  for (const name of SCENARIOS)
    for (let seed = firstSeed; seed < firstSeed + perScenario; seed++) {
      const s = scenario(name, seed);
      out.push({
        group: `synthetic/${name}/${seed}`,
        x: extractFeatures(s.signals, s.telemetry).x,
        risk: s.risk,
        cause: s.cause,
      });
    }
  return out;
}
