/**
 * Evidence for an incident from its cluster: for each crashing container (at most `pods` pods), its
 * previous log, its pod's recent events and the images as running. Every call is bounded in time;
 * a failed call becomes an "unavailable" entry, never an error: evidence helps, it does not gate.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Evidence, Incident } from '../../model/index.ts';
import type { TextBounds } from './bound.ts';
import { previousLog } from './logs.ts';
import { recentEvents, runningImages } from './pod-facts.ts';

export interface EvidenceBounds {
  log: TextBounds;
  events: number;
  eventText: TextBounds;
  /** At most this many pods are read per incident. */
  pods: number;
  /** Per API call. */
  timeoutMs: number;
}

export const DEFAULT_EVIDENCE_BOUNDS: EvidenceBounds = {
  log: { maxLines: 100, maxBytes: 16 * 1024, maxLineChars: 400 },
  events: 10,
  eventText: { maxLines: 10, maxBytes: 4 * 1024, maxLineChars: 400 },
  pods: 2,
  timeoutMs: 10_000,
};

const CRASHING = new Set(['CrashLoopBackOff', 'OOMKilled', 'ProbeFailure']);

function withTimeout(ms: number) {
  return <T>(what: string, p: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  };
}

/** The pods (and their containers) an incident's signals name, newest first. */
export function podsOf(
  incident: Incident,
  max: number,
): Array<{ pod: string; containers: string[]; crashing: string[] }> {
  const byPod = new Map<string, { containers: Set<string>; crashing: Set<string> }>();
  for (const s of [...incident.signals].reverse()) {
    if (!s.pod) continue;
    const entry = byPod.get(s.pod) ?? { containers: new Set<string>(), crashing: new Set<string>() };
    if (!byPod.has(s.pod)) {
      if (byPod.size >= max) continue;
      byPod.set(s.pod, entry);
    }
    if (s.container) {
      entry.containers.add(s.container);
      if (CRASHING.has(s.kind)) entry.crashing.add(s.container);
    }
  }
  return [...byPod].map(([pod, e]) => ({
    pod,
    containers: [...e.containers].sort(),
    crashing: [...e.crashing].sort(),
  }));
}

export async function collectEvidence(
  kc: KubeConfig,
  incident: Incident,
  bounds = DEFAULT_EVIDENCE_BOUNDS,
): Promise<Evidence[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const call = withTimeout(bounds.timeoutMs);
  const ns = incident.target.namespace;
  const out: Evidence[] = [];
  for (const { pod, containers, crashing } of podsOf(incident, bounds.pods)) {
    out.push(...(await runningImages(core, ns, pod, containers, call)));
    if (bounds.log.maxLines > 0) {
      for (const container of crashing) {
        out.push(await previousLog(kc, { namespace: ns, pod, container }, bounds.log, bounds.timeoutMs));
      }
    }
    if (bounds.events > 0) out.push(await recentEvents(core, ns, pod, bounds.events, bounds.eventText, call));
  }
  return out;
}
