/** `.salve.yaml`: what a config repo tells salve about itself. Every field is optional. */
import { z } from 'zod';
import { EvidenceSettings } from '../cluster/settings.ts';
import { FollowUpConfig } from '../followup/settings.ts';
import { Mode, SignalKind } from '../model/index.ts';
import { globToRegExp } from '../repo/glob.ts';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');

/** A repo-relative path or glob: salve reads nothing outside the repository. */
const RepoPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && !p.split('/').includes('..'), {
    message: 'must be a path inside the repository (relative, without ..)',
  })
  .refine(
    (p) => {
      try {
        globToRegExp(p);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'is not a valid glob' },
  );

/** A Kubernetes resource quantity (`4Gi`, `500m`, `2`), as the bounds are written. */
const Quantity = z
  .string()
  .regex(
    /^[+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/,
    'expected a quantity such as 4Gi or 500m',
  );

export const Environment = z
  .object({
    name: z.string().min(1),
    /** production | staging | development | ... : what policies key on. Defaults from the name. */
    tier: z.string().optional(),
    /** Argo CD destination names or servers that belong to this environment. */
    clusters: z.array(z.string()).default([]),
    timezone: z.string().default('UTC'),
    businessHours: z
      .object({
        days: z.array(z.number().int().min(0).max(6)).default([1, 2, 3, 4, 5]),
        start: HHMM.default('09:00'),
        end: HHMM.default('17:00'),
      })
      .default({ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }),
  })
  .strict();
export type Environment = z.infer<typeof Environment>;

export const Freeze = z
  .object({
    name: z.string().min(1),
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    environments: z.array(z.string()).default(['*']),
  })
  .strict();
export type Freeze = z.infer<typeof Freeze>;

export const TrustRule = z
  .object({ environment: z.string().default('*'), action: z.string().default('*'), mode: Mode })
  .strict();

/** An SLO envelope: guard-rail queries for canary analysis. `{{args.service}}` etc. are kept verbatim. */
export const Slo = z
  .object({
    name: z.string().min(1),
    prometheus: z.object({ address: z.string().min(1) }).strict(),
    errorRate: z.object({ query: z.string().min(1), max: z.number() }).strict(),
    latency: z.object({ query: z.string().min(1), maxSeconds: z.number() }).strict(),
  })
  .strict();
export type Slo = z.infer<typeof Slo>;

/**
 * A PromQL template for perception's metric windows. `{{cluster}}`, `{{namespace}}`, `{{kind}}`
 * and `{{name}}` are the incident's top-level owner (`{{args.service}}`, as in SLO queries, is its
 * name); each value is a Kubernetes name, checked before it goes into the query.
 */
export const PerceptionQuery = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes'),
    query: z.string().min(1).max(4096),
    /** The seasonal period to learn (seconds); a day by default. */
    periodSeconds: z.number().int().positive().max(2_678_400).optional(),
  })
  .strict();
export type PerceptionQuery = z.infer<typeof PerceptionQuery>;

const POD = 'namespace="{{namespace}}", pod=~"{{name}}-.*"';
/** Series kube-state-metrics and cAdvisor give every cluster. */
export const DEFAULT_PERCEPTION_QUERIES: PerceptionQuery[] = [
  {
    name: 'memory-working-set-ratio',
    query: `max(container_memory_working_set_bytes{${POD}, container!="", container!="POD"}) / max(kube_pod_container_resource_limits{${POD}, resource="memory"})`,
  },
  {
    name: 'container-restarts',
    query: `sum(increase(kube_pod_container_status_restarts_total{${POD}}[10m]))`,
  },
  {
    name: 'cpu-throttling-ratio',
    query: `sum(increase(container_cpu_cfs_throttled_periods_total{${POD}, container!=""}[5m])) / sum(increase(container_cpu_cfs_periods_total{${POD}, container!=""}[5m]))`,
  },
  {
    name: 'hpa-replicas-ratio',
    query:
      'max(kube_horizontalpodautoscaler_status_current_replicas{namespace="{{namespace}}", horizontalpodautoscaler="{{name}}"}) / max(kube_horizontalpodautoscaler_spec_max_replicas{namespace="{{namespace}}", horizontalpodautoscaler="{{name}}"})',
  },
];

export const PerceptionConfig = z
  .object({
    /** Where perception reads metric windows; without it, perception uses signals and logs only. */
    prometheus: z.object({ address: z.url() }).strict().optional(),
    lookback: z.string().default('7d'),
    step: z.string().default('5m'),
    queries: z.array(PerceptionQuery).max(32).default(DEFAULT_PERCEPTION_QUERIES),
    /** Also read each SLO's error-rate and latency queries as windows. */
    includeSlos: z.boolean().default(true),
  })
  .strict();
export type PerceptionConfig = z.infer<typeof PerceptionConfig>;

/** A Prometheus label name. */
const LabelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'expected a Prometheus label name');
/** An exact label value or one with `*` wildcards (`*` matches any run of characters, nothing else is special). */
const ValuePattern = z.string().min(1).max(256);
const ValuePatterns = z.union([ValuePattern, z.array(ValuePattern).min(1).max(64)]);

/**
 * One `alerts:` entry: which alerts (by name and/or labels) mean which signal kind, and which of
 * their labels name the namespace, the pod or workload, the container and the cluster. Entries are
 * tried in order, before salve's built-in alert names; the first that matches wins.
 */
export const AlertMapping = z
  .object({
    /** Alert names: exact, or with `*` wildcards; a list matches any of them. */
    alertname: ValuePatterns.optional(),
    /** Other labels the alert must carry, each matching its value (exact, `*` wildcards, or a list). */
    match: z.record(LabelName, ValuePatterns).default({}),
    /** What the alert means. */
    kind: SignalKind,
    /** Which labels name what (defaults: the kube-state-metrics names). */
    labels: z
      .object({
        namespace: LabelName.default('namespace'),
        /** The pod: its owner is found from the name (`web-7d9f8b6c5d-x2x7k` → Deployment `web`). */
        pod: LabelName.default('pod'),
        container: LabelName.default('container'),
        cluster: LabelName.default('cluster'),
        /** A label naming the workload itself, for alerts that carry no pod (`kube_deployment`). */
        workload: LabelName.optional(),
        workloadKind: z
          .enum(['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout', 'HorizontalPodAutoscaler'])
          .default('Deployment'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((m) => m.alertname !== undefined || Object.keys(m.match).length > 0, {
    message: 'an alerts entry needs alertname or match (else it would match every alert)',
  });
export type AlertMapping = z.infer<typeof AlertMapping>;

export const SalveConfig = z
  .object({
    apiVersion: z.literal('salve.dev/v1').default('salve.dev/v1'),
    /** Globs (repo-relative) where Argo CD Applications live. Default: anywhere in the repo. */
    applications: z.array(RepoPath).default(['**/*.yaml', '**/*.yml']),
    environments: z.array(Environment).default([]),
    trust: z
      .object({
        default: Mode.default('approve'),
        rules: z.array(TrustRule).default([]),
        /**
         * Trust earned from outcomes: an action the ladder leaves at `approve` in an environment is
         * automated there once its last merges in `window` were followed up `effective` at least
         * `effective` times and never `harmful`.
         */
        earn: z
          .object({ effective: z.number().int().positive().max(100), window: z.string().default('30d') })
          .strict()
          .optional(),
      })
      .strict()
      .default({ default: 'approve', rules: [] }),
    policy: z
      .object({
        confidenceThreshold: z.number().min(0).max(1).default(0.8),
        riskThreshold: z.number().min(0).max(1).default(0.4),
        protectedNamespaces: z.array(z.string()).default(['kube-system', 'kube-public', 'argocd']),
        sensitiveKinds: z.array(z.string()).default(['StatefulSet', 'DaemonSet', 'Node']),
        bounds: z
          .object({
            memoryMaxFactor: z.number().positive().default(2),
            memoryCap: Quantity.default('8Gi'),
            cpuMaxFactor: z.number().positive().default(2),
            cpuCap: Quantity.default('4'),
            replicasMaxFactor: z.number().positive().default(2),
            replicasCap: z.number().int().positive().default(50),
          })
          .strict()
          .prefault({}),
        rollbackMaxReleaseAge: z.string().default('2h'),
      })
      .strict()
      .prefault({}),
    freezes: z.array(Freeze).default([]),
    limits: z
      .object({
        openPullRequests: z.number().int().positive().default(5),
        pullRequestsPerHour: z.number().int().positive().default(2),
      })
      .strict()
      .prefault({}),
    /** A closed or observed incident is not acted on again within this period. */
    holdPeriod: z.string().default('1h'),
    slos: z.array(Slo).default([]),
    /** Alert rules from other rule sets: alert name or labels → signal kind, and the labels that name the target. */
    alerts: z.array(AlertMapping).max(200).default([]),
    /**
     * Progressive delivery. A fix never migrates a plain Deployment to Argo Rollouts: it ships as the
     * Deployment's own rolling update, guarded by the follow-up. With `adopt: true`, a production fix
     * that deserves a canary first proposes adopting Argo Rollouts as its own PR (a Rollout with
     * `workloadRef`, the pod template unchanged, guard rails from `slos:`, and `ignoreDifferences`
     * on the Deployment's replicas in its Argo CD Application); the fix follows once that Rollout
     * is live, and the Rollout canaries it. Workloads under Flagger or an existing Rollout are
     * never adopted.
     */
    rollouts: z
      .object({ adopt: z.boolean().default(false) })
      .strict()
      .prefault({}),
    /** Repo-relative paths of trusted public keys (PEM, ed25519) for proof verification. */
    keys: z.array(RepoPath).default(['.salve/keys/*.pub']),
    /** Extra Rego policy directories in the config repo, evaluated with salve's defaults. */
    policies: z.array(RepoPath).default([]),
    kustomize: z
      .object({
        /**
         * Hosts remote resources and bases may come from (`github.com`, or `host:port` for one port).
         * None by default: a build reads only what the commit holds.
         */
        remoteHosts: z
          .array(z.string().regex(/^[A-Za-z0-9.\-[\]:]+$/, 'expected a host name or host:port'))
          .default([]),
      })
      .strict()
      .prefault({}),
    /** What a PR shows of the cluster (when salve reads one): previous logs and events, bounded. */
    cluster: z
      .object({ evidence: EvidenceSettings.prefault({}) })
      .strict()
      .prefault({}),
    /** Telemetry perception reads: Prometheus range queries per workload. */
    perception: PerceptionConfig.prefault({}),
    /** After a remediation merges: how long to wait for Argo CD, to let it settle, and to look back. */
    followUp: FollowUpConfig.prefault({}),
    /** Author of the commits `salve plan` makes. Default: the user id of the OpenPGP key that signs them. */
    commitAuthor: z
      .object({ name: z.string().min(1), email: z.email() })
      .strict()
      .optional(),
  })
  .strict();
export type SalveConfig = z.infer<typeof SalveConfig>;
