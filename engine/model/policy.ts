/** The policy input document, the proof and the DSSE envelope: what govern consumes and produces. */
import { z } from 'zod';
import { FieldChange, Mode, ObjectChange, PolicyDecision, RiskType, SignalKind } from './index.ts';

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
});
export type PolicySettings = z.infer<typeof PolicySettings>;

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
    risk: z.object({ score: z.number(), confidence: z.number(), type: RiskType }),
  }),
  change: z.object({ fields: z.array(FieldChange), objects: z.array(ObjectChange) }),
  /** Age of the change the action undoes or builds on (rollback: the image change). */
  release: z.object({ ageSeconds: z.number().nullable() }),
  time: z.object({
    now: z.string(),
    weekday: z.number().int().min(0).max(6),
    hour: z.number().int().min(0).max(23),
    businessHours: z.boolean(),
    freeze: z.object({ active: z.boolean(), name: z.string().optional() }),
  }),
  settings: PolicySettings,
});
export type PolicyInput = z.infer<typeof PolicyInput>;

export const Proof = z.object({
  version: z.literal('salve.dev/proof/v1'),
  subject: z.object({
    repo: z.string(),
    baseCommit: z.string(),
    overlay: z.string(),
    /** sha256 of the canonical JSON of the file changes ([{path, sha256 of after}] sorted by path). */
    changesDigest: z.string(),
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

export const PROOF_PAYLOAD_TYPE = 'application/vnd.salve.proof.v1+json';
