/**
 * Evaluates `salve/exposure/plan` from the same wasm bundle as the main decision. The plan reads
 * neither `input.exposure` nor `input.change`, so the engine asks before rendering the exposure
 * objects and a verifier asks again on a proof's input and gets the same answer.
 */
import { PolicyError } from '../../model/errors.ts';
import { ExposurePlan, type PolicyInput } from '../../model/policy.ts';
import type { PolicyBundle } from '../../policy/bundle.ts';
import { instantiatePolicy, type LoadedPolicy } from '../../policy/wasm-module.ts';

export interface ExposurePlanner {
  /** The plan policy decides for this remediation; null when it needs no canary (or the bundle has no exposure policy). */
  plan(input: PolicyInput): ExposurePlan | null;
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err);
}

export async function loadExposurePlanner(bundle: PolicyBundle): Promise<ExposurePlanner> {
  const entrypoint = bundle.exposureEntrypoint;
  if (!entrypoint) return { plan: () => null };
  let policy: LoadedPolicy;
  try {
    policy = await instantiatePolicy(bundle.wasm);
    policy.setData((bundle.data ?? {}) as object);
  } catch (err) {
    throw new PolicyError(`policy bundle ${bundle.digest} does not load: ${describe(err)}`, { cause: err });
  }
  return {
    plan(input) {
      let results: { result?: unknown }[];
      try {
        results = policy.evaluate(input, entrypoint) as { result?: unknown }[];
      } catch (err) {
        throw new PolicyError(`evaluating ${entrypoint} failed: ${describe(err)}`, { cause: err });
      }
      const result = results[0]?.result;
      if (result === undefined || result === null) return null;
      const parsed = ExposurePlan.safeParse(result);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new PolicyError(
          `${entrypoint} returned a malformed plan at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'unknown'}`,
        );
      }
      return parsed.data;
    },
  };
}
