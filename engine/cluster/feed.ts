/**
 * The cluster side of `salve serve`: for each configured cluster, prove salve cannot write to it,
 * then watch it. The feed gives the planner the clusters' current signals and evidence for an
 * incident, and tells subscribers (debounced) when new signals appear.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Evidence, Incident, Signal } from '../model/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import { type AccessReport, proveReadOnly } from './access/prove.ts';
import { type ClusterConnection, connect } from './connect.ts';
import { collectEvidence, DEFAULT_EVIDENCE_BOUNDS, type EvidenceBounds } from './evidence/collect.ts';
import { type ClusterIntake, startClusterIntake } from './intake/index.ts';
import type { ClusterSettings, EvidenceSettings } from './settings.ts';
import type { ReflectorOptions } from './watch/reflector.ts';

export interface ClusterFeed {
  readonly clusters: readonly string[];
  readonly access: readonly AccessReport[];
  /** Resolves once every watch of every cluster has listed. */
  readonly synced: Promise<void>;
  signals(): Signal[];
  watches(cluster: string): boolean;
  /** The proven read-only connection to a watched cluster (follow-up, rollout liveness); null otherwise. */
  kubeConfig(cluster: string): KubeConfig | null;
  /** Evidence from the incident's cluster; [] when salve does not watch that cluster. */
  evidence(incident: Incident, settings?: EvidenceSettings): Promise<Evidence[]>;
  /** `listener` hears new signals, at most once per `debounceMs`. */
  subscribe(listener: (fresh: Signal[]) => void): () => void;
  stop(): Promise<void>;
}

export interface FeedOptions {
  log: Logger;
  now?: () => Date;
  debounceMs?: number;
  reflector?: Partial<Omit<ReflectorOptions, 'watch' | 'log'>>;
  /** Connections made elsewhere (tests); otherwise from the settings' kubeconfig contexts. */
  connections?: ClusterConnection[];
}

export function evidenceBounds(settings: EvidenceSettings | undefined): EvidenceBounds | null {
  if (!settings) return DEFAULT_EVIDENCE_BOUNDS;
  if (!settings.logs && settings.events === 0) return null;
  const d = DEFAULT_EVIDENCE_BOUNDS;
  return {
    ...d,
    log: { ...d.log, maxLines: settings.logs ? settings.logLines : 0, maxBytes: settings.logBytes },
    events: settings.events,
  };
}

export async function startClusters(settings: ClusterSettings, opts: FeedOptions): Promise<ClusterFeed> {
  const connections = opts.connections ?? settings.contexts.map((c) => connect(c, settings.kubeconfig));
  const access: AccessReport[] = [];
  // Every cluster is proven read-only before any is watched: one bad identity stops salve.
  for (const conn of connections) {
    access.push(await proveReadOnly(conn.kc, { cluster: conn.name, namespaces: settings.namespaces, log: opts.log }));
  }
  const intakes = new Map<string, { conn: ClusterConnection; intake: ClusterIntake }>();
  for (const conn of connections) {
    const intake = startClusterIntake({
      cluster: conn.name,
      kc: conn.kc,
      namespaces: settings.namespaces,
      log: opts.log,
      ...(opts.now ? { now: opts.now } : {}),
      ...(opts.reflector ? { reflector: opts.reflector } : {}),
    });
    intakes.set(conn.name, { conn, intake });
  }
  const listeners = new Set<(fresh: Signal[]) => void>();
  let pending: Signal[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const fresh = pending;
    pending = [];
    for (const l of listeners) l(fresh);
  };
  for (const { intake } of intakes.values()) {
    intake.subscribe((fresh) => {
      pending.push(...fresh);
      timer ??= setTimeout(flush, opts.debounceMs ?? 2000);
    });
  }
  return {
    clusters: [...intakes.keys()],
    access,
    synced: Promise.all([...intakes.values()].map((i) => i.intake.synced)).then(() => {}),
    signals: () => [...intakes.values()].flatMap((i) => i.intake.signals()),
    watches: (cluster) => intakes.has(cluster),
    kubeConfig: (cluster) => intakes.get(cluster)?.conn.kc ?? null,
    evidence: async (incident, evidenceSettings) => {
      const entry = intakes.get(incident.target.cluster);
      const bounds = evidenceBounds(evidenceSettings);
      if (!entry || !bounds) return [];
      return collectEvidence(entry.conn.kc, incident, bounds);
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: async () => {
      clearTimeout(timer);
      listeners.clear();
      await Promise.all([...intakes.values()].map((i) => i.intake.stop()));
    },
  };
}
