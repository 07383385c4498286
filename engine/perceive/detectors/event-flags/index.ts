/**
 * event-flags: what the cluster itself says went wrong. Each event kind keeps a count that
 * decays with a half-life (`halfLifeSeconds`); the score of an event is the kind's weight times
 * 1 − 2^(−recent count): a first OOMKill is a strong flag, a tenth crash-loop report adds little
 * to the ninth. `flags(t)` gives the decayed count per kind, the features fusion reads.
 */
import { asJson, mergeOptions } from '../options.ts';
import { DetectorStateError, unwrap, wrap } from '../state.ts';
import type { Detector, DetectorState, EventObservation, JsonValue, RichDetectorPlugin } from '../types.ts';

export interface EventFlagsOptions {
  halfLifeSeconds: number;
  maxKinds: number;
}

export const DEFAULTS: EventFlagsOptions = { halfLifeSeconds: 600, maxKinds: 64 };

/** How strongly each kind says "something is wrong" on its own. Unknown kinds weigh 0.5. */
export const FLAG_WEIGHT: Readonly<Record<string, number>> = {
  OOMKilled: 1,
  CrashLoopBackOff: 1,
  ImagePullBackOff: 0.9,
  ProbeFailure: 0.6,
  PodNotReady: 0.5,
  FailedScheduling: 0.6,
  CPUThrottling: 0.5,
  HPAMaxedOut: 0.4,
  ErrorRateBreach: 0.8,
  LatencyBreach: 0.7,
  NodePressure: 0.7,
};

const ID = 'event-flags';
const VERSION = 1;

export class EventFlags implements Detector<'event'> {
  readonly id = ID;
  private readonly kinds = new Map<string, { count: number; t: number }>();

  constructor(
    private readonly o: EventFlagsOptions,
    state?: Record<string, JsonValue>,
  ) {
    if (!state) return;
    const k = state.kinds;
    if (!Array.isArray(k) || k.length > o.maxKinds)
      throw new DetectorStateError(`${ID} snapshot: kinds is not a list of at most ${o.maxKinds} entries`);
    for (const e of k) {
      if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'number' || typeof e[2] !== 'number')
        throw new DetectorStateError(`${ID} snapshot: a kind is not [kind, count, t]`);
      this.kinds.set(e[0], { count: e[1], t: e[2] });
    }
  }

  private decayed(kind: string, t: number): number {
    const k = this.kinds.get(kind);
    if (!k) return 0;
    return k.count * 2 ** (-Math.max(0, t - k.t) / this.o.halfLifeSeconds);
  }

  update(e: EventObservation): number {
    if (!this.kinds.has(e.kind) && this.kinds.size >= this.o.maxKinds) return 0;
    const count = this.decayed(e.kind, e.t) + Math.max(1, Math.min(e.count ?? 1, 1000));
    this.kinds.set(e.kind, { count, t: e.t });
    return (FLAG_WEIGHT[e.kind] ?? 0.5) * (1 - 2 ** -count);
  }

  /** Decayed count per kind at time t, kinds sorted. */
  flags(t: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const kind of [...this.kinds.keys()].sort()) out[kind] = this.decayed(kind, t);
    return out;
  }

  snapshot(): DetectorState {
    return wrap(ID, VERSION, {
      options: asJson(this.o),
      kinds: [...this.kinds.entries()].map(([k, v]) => [k, v.count, v.t]),
    });
  }
}

export const eventFlags: RichDetectorPlugin<'event', EventFlagsOptions, EventFlags> = {
  id: ID,
  input: 'event',
  description: 'decayed counts of OOMKills, crash loops, probe failures and other cluster events',
  create: (over) => new EventFlags(mergeOptions(ID, DEFAULTS, over)),
  restore: (snapshot) => {
    const s = unwrap(snapshot, ID, VERSION);
    return new EventFlags(mergeOptions(ID, DEFAULTS, s.options), s);
  },
};
