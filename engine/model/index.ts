/**
 * salve's core types: plain, JSON-serialisable data validated at the edges.
 * A zod schema and its inferred type share one name.
 */
import { z } from 'zod';

export * from './errors.ts';
export * from './words.ts';

export const SignalKind = z.enum([
  'OOMKilled',
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ProbeFailure',
  'PodNotReady',
  'CPUThrottling',
  'HPAMaxedOut',
  'FailedScheduling',
  'ErrorRateBreach',
  'LatencyBreach',
  'NodePressure',
]);
export type SignalKind = z.infer<typeof SignalKind>;

/** A live object: the top-level owner a signal is about (Deployment, StatefulSet, HPA, ...). */
export const Target = z.object({
  cluster: z.string().min(1),
  namespace: z.string().min(1),
  kind: z.string().min(1),
  name: z.string().min(1),
});
export type Target = z.infer<typeof Target>;

export const Evidence = z.object({
  /** Where it came from: an alert name, a pod's container status, a metric. */
  source: z.string(),
  summary: z.string(),
  at: z.string().optional(),
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  /**
   * Verbatim text read from a cluster (a container's previous log, its events), already bounded
   * and redacted. Untrusted: shown only as inert text, never as markdown.
   */
  text: z.string().optional(),
});
export type Evidence = z.infer<typeof Evidence>;

export const Signal = z.object({
  /** Stable id of this observation (alert fingerprint + startsAt, or pod uid + container + reason). */
  id: z.string(),
  source: z.enum(['alertmanager', 'kubernetes', 'prometheus']),
  kind: SignalKind,
  status: z.enum(['firing', 'resolved']),
  target: Target,
  /** The container concerned, when the signal names one. */
  container: z.string().optional(),
  /** The pod the signal was seen on, when there was one. */
  pod: z.string().optional(),
  observedAt: z.string(),
  labels: z.record(z.string(), z.string()),
  evidence: z.array(Evidence),
});
export type Signal = z.infer<typeof Signal>;

export const Attribution = z.object({
  factor: z.string(),
  weight: z.number(),
  detail: z.string(),
});
export type Attribution = z.infer<typeof Attribution>;

export const RiskType = z.enum(['resource-pressure', 'crash-loop', 'availability', 'scaling', 'image', 'unknown']);
export type RiskType = z.infer<typeof RiskType>;

/** Perception's evidence: a metric point against its baseline band, or log templates new in this release. */
export const RiskEvidence = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('metric'),
    name: z.string(),
    at: z.string(),
    value: z.number(),
    expected: z.number().nullable(),
    lower: z.number().nullable(),
    upper: z.number().nullable(),
    score: z.number(),
  }),
  z.object({
    kind: z.literal('log'),
    container: z.string().nullable(),
    baselineLines: z.number(),
    currentLines: z.number(),
    novelShare: z.number(),
    rarity: z.number(),
    distance: z.number(),
    novel: z.array(z.object({ template: z.string(), count: z.number() })),
  }),
]);
export type RiskEvidence = z.infer<typeof RiskEvidence>;

export const Risk = z.object({
  /** Calibrated probability that the incident needs a change. */
  score: z.number().min(0).max(1),
  /** A calibrated probability too (see engine/perceive/perception/assess.ts). */
  confidence: z.number().min(0).max(1),
  type: RiskType,
  attributions: z.array(Attribution),
  /** 90 % interval of the score over the model's bootstrap replicas. */
  interval: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).optional(),
  evidence: z.array(RiskEvidence).optional(),
  /** The perception model that scored it. */
  model: z.string().optional(),
});
export type Risk = z.infer<typeof Risk>;

export const Incident = z.object({
  /** sha256 hex of cluster/namespace/kind/name of the top-level owner. */
  fingerprint: z.string(),
  target: Target,
  kinds: z.array(SignalKind),
  /** Containers named by the signals, sorted. */
  containers: z.array(z.string()),
  /** Firing signals only, deduplicated by id, at most a bounded sample (occurrences counts all). */
  signals: z.array(Signal),
  occurrences: z.number().int().nonnegative(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  risk: Risk,
  /** What the cluster showed when the incident was planned: previous logs, recent events, images. */
  evidence: z.array(Evidence).optional(),
});
export type Incident = z.infer<typeof Incident>;

export const ActionId = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/);
export type ActionId = string;
export const ActionFamily = z.enum(['resources', 'traffic', 'workload', 'node', 'network']);
export type ActionFamily = z.infer<typeof ActionFamily>;

/**
 * One field of one rendered object that an action may change.
 * `path` is a JSON pointer into the rendered object, with list items addressed by name:
 * `/spec/template/spec/containers[name=app]/resources/limits/memory`.
 */
export const FieldChange = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  path: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});
export type FieldChange = z.infer<typeof FieldChange>;

/** A whole object added to or removed from the rendered output. */
export const ObjectChange = z.object({
  op: z.enum(['add', 'remove']),
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
});
export type ObjectChange = z.infer<typeof ObjectChange>;

export const RenderedDiff = z.object({
  fields: z.array(FieldChange),
  objects: z.array(ObjectChange),
});
export type RenderedDiff = z.infer<typeof RenderedDiff>;

export const FileChange = z
  .object({
    /** Repo-relative, forward slashes. */
    path: z.string(),
    /** null when the file is new. */
    before: z.string().nullable(),
    /** null when the file is deleted (only a revert deletes, and only files the reverted merge added). */
    after: z.string().nullable(),
  })
  .refine((c) => c.before !== null || c.after !== null, {
    message: 'a file change adds, edits or deletes a file: before and after cannot both be absent',
  });
export type FileChange = z.infer<typeof FileChange>;

export const Mode = z.enum(['observe', 'approve', 'automate']);
export type Mode = z.infer<typeof Mode>;

export const RuleEffect = z.enum(['allow', 'deny', 'require-approval', 'advisory']);
export type RuleEffect = z.infer<typeof RuleEffect>;

export const PolicyRule = z.object({ id: z.string(), effect: RuleEffect, message: z.string() });
export type PolicyRule = z.infer<typeof PolicyRule>;

export const PolicyDecision = z.object({
  allowed: z.boolean(),
  mode: Mode,
  /** Every rule that fired, sorted by id then message. */
  rules: z.array(PolicyRule),
});
export type PolicyDecision = z.infer<typeof PolicyDecision>;
