/**
 * The cluster's current problems as Signals: one entry per pod (its container findings, from
 * engine/intake's pod reader) and one per Warning event, kept up to date by the watches. Every pod's
 * top-level owner is remembered so that an event about a pod is attributed like the pod itself.
 * Bounded: events older than `maxAgeMs` are dropped, and at most `maxEvents` are kept (newest win).
 */
import { parsePod, resolvePodOwner } from '../../intake/index.ts';
import { ownerFromPodName } from '../../intake/owner.ts';
import type { Signal } from '../../model/index.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { WatchEventType } from '../watch/reflector.ts';
import { KubeEvent } from './event-schema.ts';
import { eventSignal, lastSeen } from './event-signal.ts';

export interface StoreOptions {
  cluster: string;
  now: () => Date;
  log: Logger;
  maxAgeMs?: number;
  maxEvents?: number;
}

interface PodEntry {
  owner: { kind: string; name: string };
  signals: Signal[];
}

type RawPod = {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    ownerReferences?: Array<{ kind: string; name: string; controller?: boolean }>;
  };
};

export type FreshListener = (fresh: Signal[]) => void;

export class ClusterSignalStore {
  private readonly pods = new Map<string, PodEntry>();
  private readonly events = new Map<string, Signal>();
  private readonly listeners = new Set<FreshListener>();
  private readonly maxAgeMs: number;
  private readonly maxEvents: number;

  constructor(private readonly opts: StoreOptions) {
    this.maxAgeMs = opts.maxAgeMs ?? 60 * 60_000;
    this.maxEvents = opts.maxEvents ?? 5000;
  }

  subscribe(listener: FreshListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every current signal: the pods' findings and the recent Warning events, oldest first. */
  current(): Signal[] {
    const oldest = this.opts.now().getTime() - this.maxAgeMs;
    const events = [...this.events.values()].filter((s) => Date.parse(s.observedAt) >= oldest);
    const all = [...[...this.pods.values()].flatMap((p) => p.signals), ...events];
    return all.sort((a, b) => (a.observedAt < b.observedAt ? -1 : a.observedAt > b.observedAt ? 1 : 0));
  }

  get size(): { pods: number; events: number } {
    return { pods: this.pods.size, events: this.events.size };
  }

  replacePods(pods: readonly RawPod[]): void {
    const before = new Set([...this.pods.values()].flatMap((p) => p.signals.map((s) => s.id)));
    this.pods.clear();
    for (const pod of pods) this.putPod(pod);
    this.announce([...this.pods.values()].flatMap((p) => p.signals).filter((s) => !before.has(s.id)));
  }

  onPod(type: WatchEventType, pod: RawPod): void {
    const key = podKey(pod);
    const before = new Set(this.pods.get(key)?.signals.map((s) => s.id));
    if (type === 'DELETED') this.pods.delete(key);
    else this.putPod(pod);
    this.announce((this.pods.get(key)?.signals ?? []).filter((s) => !before.has(s.id)));
  }

  replaceEvents(events: readonly unknown[]): void {
    const before = new Set(this.events.keys());
    this.events.clear();
    for (const e of events) this.putEvent(e);
    this.trimEvents();
    this.announce([...this.events.entries()].filter(([key]) => !before.has(key)).map(([, s]) => s));
  }

  onEvent(type: WatchEventType, e: unknown): void {
    const parsed = KubeEvent.safeParse(e);
    if (!parsed.success) return;
    const key = eventKey(parsed.data);
    const existed = this.events.has(key);
    if (type === 'DELETED') this.events.delete(key);
    else {
      this.putEvent(parsed.data);
      this.trimEvents();
    }
    const now = this.events.get(key);
    if (!existed && now) this.announce([now]);
  }

  private putPod(raw: RawPod): void {
    const meta = raw.metadata ?? {};
    if (!meta.name || !meta.namespace) return;
    const owner = resolvePodOwner(meta.name, meta.ownerReferences ?? [], meta.labels ?? {});
    let signals: Signal[] = [];
    try {
      signals = parsePod(
        { ...raw, apiVersion: 'v1', kind: 'Pod' },
        {
          cluster: this.opts.cluster,
          now: this.opts.now(),
          source: `pod ${meta.namespace}/${meta.name}`,
        },
      );
    } catch (err) {
      this.opts.log.warn({ err, pod: `${meta.namespace}/${meta.name}` }, 'unreadable pod skipped');
    }
    this.pods.set(podKey(raw), { owner, signals });
  }

  private putEvent(raw: unknown): void {
    const parsed = KubeEvent.safeParse(raw);
    if (!parsed.success) return;
    const signal = eventSignal(parsed.data, {
      cluster: this.opts.cluster,
      owner: (ns, pod) => this.pods.get(`${ns}/${pod}`)?.owner,
      resolveByName: (pod) => ownerFromPodName(pod),
    });
    const key = eventKey(parsed.data);
    if (signal && Date.parse(lastSeen(parsed.data) ?? '') >= this.opts.now().getTime() - this.maxAgeMs) {
      this.events.set(key, signal);
    } else this.events.delete(key);
  }

  /** Drops the oldest events once there are 10% too many (so that a full store does not sort per event). */
  private trimEvents(): void {
    if (this.events.size <= this.maxEvents * 1.1) return;
    const byAge = [...this.events.entries()].sort((a, b) => (a[1].observedAt < b[1].observedAt ? -1 : 1));
    for (const [key] of byAge.slice(0, this.events.size - this.maxEvents)) this.events.delete(key);
  }

  private announce(fresh: Signal[]): void {
    if (fresh.length === 0) return;
    for (const listener of this.listeners) listener(fresh);
  }
}

function podKey(pod: RawPod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

function eventKey(e: KubeEvent): string {
  return e.metadata.uid ?? `${e.metadata.namespace ?? ''}/${e.metadata.name}`;
}
