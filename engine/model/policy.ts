/** The policy input document, the proof and the DSSE envelope: what govern consumes and produces. */
import { z } from 'zod';
import {
  Attribution,
  FieldChange,
  Mode,
  ObjectChange,
  PolicyDecision,
  RenderedDiff,
  RiskEvidence,
  RiskType,
  SignalKind,
} from './index.ts';

/** An SLO envelope from `.salve.yaml` `slos:`: the guard-rail queries a canary's analysis runs. */
export const SloEnvelope = z.object({
  name: z.string(),
  prometheus: z.object({ address: z.string() }),
  errorRate: z.object({ query: z.string(), max: z.number() }),
  latency: z.object({ query: z.string(), maxSeconds: z.number() }),
});
export type SloEnvelope = z.infer<typeof SloEnvelope>;

export const PolicySettings = z.object({
  /** Trust ladder: first matching rule wins, then `defaultMode`. `*` matches anything. */
  trust: z.array(z.object({ environment: z.string(), action: z.string(), mode: Mode })),
  defaultMode: Mode,
  /** Below this perception confidence, automate drops to approve. */
  confidenceThreshold: z.number(),
  /** Below this risk score, no change is proposed (observe only). */
  riskThreshold: z.number(),
  protectedNamespaces: z.array(z.string()),
  sensitiveKinds: z.array(z.string()),
  bounds: z.object({
    memoryMaxFactor: z.number(),
    memoryCapBytes: z.number(),
    cpuMaxFactor: z.number(),
    cpuCapMillis: z.number(),
    replicasMaxFactor: z.number(),
    replicasCap: z.number(),
  }),
  /** A rollback is admissible only this long after the image change it undoes. */
  rollbackMaxReleaseAgeSeconds: z.number(),
  /** The same, as `.salve.yaml` writes it (`2h`), for messages. */
  rollbackMaxReleaseAge: z.string().optional(),
  /** SLO envelopes for canary analysis, in `.salve.yaml` order. */
  slos: z.array(SloEnvelope).optional(),
  /** Trust earned from outcomes (`.salve.yaml` trust.earn): how many effective follow-ups, over which window. */
  trustEarn: z.object({ effective: z.number().int().positive(), windowSeconds: z.number().positive() }).optional(),
  /** `.salve.yaml` followUp.revert when it automates the revert of salve's own harmful change. */
  revertOwnHarmful: z.literal('automate').optional(),
});
export type PolicySettings = z.infer<typeof PolicySettings>;

/** One canary step: set the weight, dwell, then (when `analysis`) gate on the guard rails. */
export const ExposureStep = z.object({
  weight: z.number().int().min(1).max(99),
  pauseSeconds: z.number().int().nonnegative(),
  analysis: z.boolean(),
});
export type ExposureStep = z.infer<typeof ExposureStep>;

/** A guard-rail metric: promotion when successCondition holds, abort past failureLimit failures. */
export const ExposureMetric = z.object({
  name: z.string(),
  query: z.string(),
  successCondition: z.string(),
  failureCondition: z.string(),
});
export type ExposureMetric = z.infer<typeof ExposureMetric>;

/** What `salve/exposure/plan` decides for one remediation (see policies/exposure.rego). */
export const ExposurePlan = z.object({
  strategy: z.literal('canary'),
  reason: z.string(),
  scaleDown: z.enum(['never', 'onsuccess', 'progressively']),
  steps: z.array(ExposureStep).min(1),
  analysis: z
    .object({
      slo: z.string(),
      address: z.string(),
      interval: z.string(),
      count: z.number().int().positive(),
      failureLimit: z.number().int().nonnegative(),
      /** Successful measurements in a row a metric needs to pass (Argo Rollouts consecutiveSuccessLimit). */
      minSuccessful: z.number().int().positive(),
      /** Errored measurements in a row that fail the metric (consecutiveErrorLimit). */
      errorLimit: z.number().int().nonnegative(),
      metrics: z.array(ExposureMetric).min(1),
    })
    .nullable(),
});
export type ExposurePlan = z.infer<typeof ExposurePlan>;

/** An exposure object as rendered: identity and the digest of its `spec` (what salve wrote). */
export const ExposureObject = z.object({
  op: z.enum(['add', 'patch']),
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  specSha256: z.string(),
});
export type ExposureObject = z.infer<typeof ExposureObject>;

/** The plan the change carries, the part of the rendered diff that is exposure, and its objects. */
export const Exposure = z.object({
  plan: ExposurePlan,
  change: RenderedDiff,
  objects: z.array(ExposureObject),
});
export type Exposure = z.infer<typeof Exposure>;

/** Who rolls out a change to a workload's pod template. */
export const Delivery = z.object({
  /** none: the Deployment (or StatefulSet...) controller itself, every pod at once as its strategy says. */
  controller: z.enum(['none', 'argo-rollouts', 'flagger']),
  /** The Rollout or Canary that does it, when there is one. */
  kind: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  /** Where salve found it: `overlay` (rendered with the workload) or the repo-relative file. */
  source: z.string().optional(),
  /**
   * An Argo Rollout's own canary steps, how many (absent: none, or not a Rollout). The team's steps
   * canary any change to the pod template, salve's fix included: salve leaves them as they are.
   */
  steps: z.number().int().positive().optional(),
  /** An Argo Rollout's strategy as written: `canary` or `blueGreen` (absent: not a Rollout, or neither). */
  strategy: z.enum(['canary', 'blueGreen']).optional(),
  /** A canary Rollout's background analysis (`strategy.canary.analysis`), its template names. */
  analysis: z.array(z.string()).optional(),
  /**
   * A blue/green Rollout's own release, read from `strategy.blueGreen`: the new ReplicaSet comes up
   * behind the preview Service, is analysed before promotion, is promoted (by Argo Rollouts or by
   * hand) to the active Service, then analysed after promotion. Names are Kubernetes names or left out.
   */
  blueGreen: z
    .object({
      activeService: z.string().optional(),
      previewService: z.string().optional(),
      /** As written; unset means true (Argo Rollouts promotes as soon as the preview is ready). */
      autoPromotionEnabled: z.boolean().optional(),
      autoPromotionSeconds: z.number().int().positive().optional(),
      prePromotionAnalysis: z.array(z.string()).optional(),
      postPromotionAnalysis: z.array(z.string()).optional(),
    })
    .optional(),
});
export type Delivery = z.infer<typeof Delivery>;

/** What the rendered overlay says about the workload the change touches. */
export const WorkloadFacts = z.object({
  kind: z.string(),
  name: z.string(),
  /** `spec.replicas` as rendered; null when unset (the API server then runs 1). */
  replicas: z.number().int().nullable(),
  /** The HorizontalPodAutoscaler that scales it, when one does. */
  autoscaler: z.object({ name: z.string(), minReplicas: z.number().int().nullable() }).nullable(),
  delivery: Delivery,
});
export type WorkloadFacts = z.infer<typeof WorkloadFacts>;

/** One follow-up outcome as policy sees it (from the `salve/outcome` record on the merged PR). */
export const OutcomeEntry = z.object({
  pull: z.number().int().positive(),
  action: z.string(),
  cluster: z.string(),
  kind: z.enum(['effective', 'ineffective', 'harmful', 'inconclusive']),
  decidedAt: z.string(),
});
export type OutcomeEntry = z.infer<typeof OutcomeEntry>;

export const PolicyInput = z.object({
  version: z.literal('salve.dev/policy-input/v1'),
  action: z.object({
    id: z.string(),
    family: z.string(),
    disruption: z.number(),
    params: z.record(z.string(), z.unknown()),
  }),
  target: z.object({
    cluster: z.string(),
    namespace: z.string(),
    kind: z.string(),
    name: z.string(),
    container: z.string().optional(),
  }),
  environment: z.object({ name: z.string(), tier: z.string() }),
  namespace: z.object({ name: z.string(), labels: z.record(z.string(), z.string()) }),
  incident: z.object({
    fingerprint: z.string(),
    kinds: z.array(SignalKind),
    occurrences: z.number(),
    risk: z.object({
      score: z.number(),
      confidence: z.number(),
      type: RiskType,
      /** Perception's 90 % interval, its attributions (logit units) and evidence, when it has them. */
      interval: z.tuple([z.number(), z.number()]).optional(),
      attributions: z.array(Attribution).optional(),
      evidence: z.array(RiskEvidence).optional(),
      model: z.string().optional(),
    }),
  }),
  change: z.object({ fields: z.array(FieldChange), objects: z.array(ObjectChange) }),
  /** Age of the change the action undoes or builds on (rollback: the image change). */
  release: z.object({
    ageSeconds: z.number().nullable(),
    /** The same, as a reviewer reads it (`3d`, `1h 30m`), for messages. */
    age: z.string().optional(),
  }),
  time: z.object({
    now: z.string(),
    weekday: z.number().int().min(0).max(6),
    hour: z.number().int().min(0).max(23),
    businessHours: z.boolean(),
    /** The local weekday, time and zone, as a reviewer reads them (`Thu 23:30 Europe/Berlin`). */
    local: z.string().optional(),
    /** The environment's business hours (`Mon–Fri 08:00–18:00 Europe/Berlin`). */
    businessWindow: z.string().optional(),
    freeze: z.object({ active: z.boolean(), name: z.string().optional() }),
  }),
  settings: PolicySettings,
  /** The workload the change touches, as rendered at the base commit (absent for non-workload targets). */
  workload: WorkloadFacts.optional(),
  /** Present when the change ships under a canary; `change` above is then the remediation's own part. */
  exposure: Exposure.optional(),
  /**
   * The follow-up outcomes of this action in this environment within the trust window, oldest
   * first (present when `.salve.yaml` trust.earn is set): what trust is earned or lost from.
   */
  outcomes: z.array(OutcomeEntry).optional(),
});
export type PolicyInput = z.infer<typeof PolicyInput>;

/**
 * One file a proof signs: its repo-relative path and the sha256 (hex) of its content after the
 * change, null when the change deletes it.
 */
export const SignedFile = z.object({
  path: z.string().min(1),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
});
export type SignedFile = z.infer<typeof SignedFile>;

export const PROOF_VERSION = 'salve.dev/proof/v2';

/** Formats no longer accepted, and why: a verifier names them instead of calling them malformed. */
export const RETIRED_PROOF_VERSIONS: Readonly<Record<string, string>> = {
  'salve.dev/proof/v1': 'it does not sign the explanation and the other files of the remediation record',
};

export const Proof = z.object({
  version: z.literal(PROOF_VERSION),
  subject: z.object({
    repo: z.string(),
    baseCommit: z.string(),
    overlay: z.string(),
    /**
     * The Argo CD Application's destination namespace: where the overlay's objects that render
     * without a namespace are applied, and so their namespace in the rendered diff (check/identity.ts).
     */
    namespace: z.string().optional(),
    /**
     * Every file the remediation commit adds, changes or deletes, sorted by path: the overlay's files and
     * the record's (the explanation included), all but `proof.json` and `proof.dsse.json`, which
     * are this proof itself.
     */
    files: z.array(SignedFile),
    /** sha256 of the canonical JSON of the rendered diff. */
    renderedDiffDigest: z.string(),
  }),
  policy: z.object({ bundleDigest: z.string(), entrypoint: z.string() }),
  input: PolicyInput,
  decision: PolicyDecision,
  engine: z.object({ name: z.literal('salve'), version: z.string() }),
  createdAt: z.string(),
});
export type Proof = z.infer<typeof Proof>;

export const DsseEnvelope = z.object({
  payloadType: z.string(),
  payload: z.string(),
  signatures: z.array(z.object({ keyid: z.string(), sig: z.string() })).min(1),
});
export type DsseEnvelope = z.infer<typeof DsseEnvelope>;

export const PROOF_PAYLOAD_TYPE = 'application/vnd.salve.proof.v2+json';
/** Payload types of retired proof formats (see RETIRED_PROOF_VERSIONS). */
export const RETIRED_PROOF_PAYLOAD_TYPES: Readonly<Record<string, string>> = {
  'application/vnd.salve.proof.v1+json': 'salve.dev/proof/v1',
};
