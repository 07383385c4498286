/**
 * The fitted perception model (models/perception-v<N>.json, written by `npm run fit:perception`):
 * a logistic risk head with Platt recalibration, bootstrap replicas of it for an interval, and a
 * logistic cause head (is a crash loop the release's fault?). Validated when loaded.
 */
import { z } from 'zod';
import { InputError } from '../../model/errors.ts';
import { FEATURES, type Feature, type FeatureVector, PRESENCE } from './features.ts';

const Head = z
  .object({
    bias: z.number().finite(),
    weights: z.record(z.string(), z.number().finite()),
    /**
     * Telemetry features measured from a reference value: w·(x − c) while their modality was
     * observed, exactly 0 while it was not (see `PRESENCE`), so a missing window weighs nothing.
     */
    centers: z.record(z.string(), z.number().finite()).optional(),
  })
  .strict();
export type Head = z.infer<typeof Head>;

export const PerceptionModel = z
  .object({
    version: z.string().regex(/^perception-v\d+$/),
    features: z.array(z.string()),
    risk: Head,
    /** p = σ(a·z + b) on the risk head's logit z, fitted on data the head never saw. */
    platt: z.object({ a: z.number().finite(), b: z.number().finite() }).strict(),
    bootstrap: z.array(Head).min(2).max(200),
    cause: Head,
    /** What it was fitted and measured on (for the record; not read at run time). */
    provenance: z.record(z.string(), z.unknown()),
  })
  .strict();
export type PerceptionModel = z.infer<typeof PerceptionModel>;

export function parseModel(json: unknown, where: string): PerceptionModel {
  const parsed = PerceptionModel.safeParse(json);
  if (!parsed.success) throw new InputError(`${where}: not a perception model (${parsed.error.issues[0]?.message})`);
  const model = parsed.data;
  const known = new Set<string>(FEATURES);
  for (const head of [model.risk, model.cause, ...model.bootstrap])
    for (const f of [...Object.keys(head.weights), ...Object.keys(head.centers ?? {})])
      if (!known.has(f)) throw new InputError(`${where}: unknown feature ${f}`);
  return model;
}

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

const MISSING_FLAG = new Map<string, Feature>(PRESENCE.flatMap((m) => m.features.map((f) => [f, m.missing])));

/** The feature's contribution to a head's logit: w·(x − c), or 0 when its modality was not observed. */
function contribution(head: Head, f: string, w: number, x: FeatureVector): number {
  const c = head.centers?.[f];
  if (c === undefined) return w * (x[f as Feature] ?? 0);
  const missing = MISSING_FLAG.get(f);
  return missing !== undefined && x[missing] === 1 ? 0 : w * ((x[f as Feature] ?? 0) - c);
}

/** Each feature's contribution to the head's logit, and the logit. */
export function logit(head: Head, x: FeatureVector): { z: number; parts: Array<{ feature: string; value: number }> } {
  const parts = Object.entries(head.weights).map(([f, w]) => ({ feature: f, value: contribution(head, f, w, x) }));
  return { z: head.bias + parts.reduce((s, p) => s + p.value, 0), parts };
}

export function calibrated(model: PerceptionModel, z: number): number {
  return sigmoid(model.platt.a * z + model.platt.b);
}

/** The 5th and 95th percentiles of the calibrated risk over the bootstrap replicas. */
export function interval(model: PerceptionModel, x: FeatureVector): [number, number] {
  const ps = model.bootstrap.map((h) => calibrated(model, logit(h, x).z)).sort((a, b) => a - b);
  const at = (q: number) => ps[Math.min(ps.length - 1, Math.max(0, Math.round(q * (ps.length - 1))))] as number;
  return [at(0.05), at(0.95)];
}
