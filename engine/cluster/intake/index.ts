/**
 * Intake from the cluster: watches of pods and Warning events, kept as the cluster's current
 * problems (Signals). Listeners hear about signals that were not there before, so that a new crash
 * loop starts a run while a pod that keeps crashing does not start one per restart.
 */
import { CoreV1Api, type KubeConfig, Watch } from '@kubernetes/client-node';
import type { Signal } from '../../model/index.ts';
import type { Logger } from '../../telemetry/logger.ts';
import { type Reflector, type ReflectorOptions, type ReflectorStats, startReflector } from '../watch/reflector.ts';
import { podSource, warningEventSource } from './sources.ts';
import { ClusterSignalStore, type FreshListener } from './store.ts';

export interface ClusterIntakeOptions {
  cluster: string;
  kc: KubeConfig;
  /** Empty: every namespace. */
  namespaces: readonly string[];
  log: Logger;
  now?: () => Date;
  /** Warning events older than this are not signals (default one hour, the API server's event TTL). */
  maxAgeMs?: number;
  reflector?: Partial<Omit<ReflectorOptions, 'watch' | 'log'>>;
}

export interface ClusterIntake {
  readonly cluster: string;
  /** Resolves once every watch has its first complete list. */
  readonly synced: Promise<void>;
  signals(): Signal[];
  subscribe(listener: FreshListener): () => void;
  stats(): Record<string, ReflectorStats>;
  stop(): Promise<void>;
}

export function startClusterIntake(opts: ClusterIntakeOptions): ClusterIntake {
  const log = opts.log.child({ cluster: opts.cluster });
  const store = new ClusterSignalStore({
    cluster: opts.cluster,
    now: opts.now ?? (() => new Date()),
    log,
    ...(opts.maxAgeMs !== undefined ? { maxAgeMs: opts.maxAgeMs } : {}),
  });
  const core = opts.kc.makeApiClient(CoreV1Api);
  const watch = new Watch(opts.kc);
  const scopes = opts.namespaces.length > 0 ? [...opts.namespaces] : [null];
  const reflectors = new Map<string, Reflector>();
  const ropts: ReflectorOptions = { ...opts.reflector, watch, log };
  for (const ns of scopes) {
    const pods = podSource<Parameters<ClusterSignalStore['onPod']>[1]>(core, ns);
    reflectors.set(
      pods.describe,
      startReflector(pods, { replace: (items) => store.replacePods(items), event: (t, o) => store.onPod(t, o) }, ropts),
    );
    const events = warningEventSource<{ metadata?: { resourceVersion?: string } }>(core, ns);
    reflectors.set(
      events.describe,
      startReflector(
        events,
        { replace: (items) => store.replaceEvents(items), event: (t, o) => store.onEvent(t, o) },
        ropts,
      ),
    );
  }
  return {
    cluster: opts.cluster,
    synced: Promise.all([...reflectors.values()].map((r) => r.synced)).then(() => {}),
    signals: () => store.current(),
    subscribe: (listener) => store.subscribe(listener),
    stats: () => Object.fromEntries([...reflectors].map(([name, r]) => [name, r.stats()])),
    stop: async () => {
      await Promise.all([...reflectors.values()].map((r) => r.stop()));
    },
  };
}
