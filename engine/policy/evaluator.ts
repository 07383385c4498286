/** Evaluates the policy bundle in-process with opa-wasm and returns a validated, sorted decision. */
import { PolicyError } from '../model/errors.ts';
import { PolicyDecision, type PolicyRule } from '../model/index.ts';
import { PolicyInput } from '../model/policy.ts';
import type { PolicyBundle } from './bundle.ts';
import { instantiatePolicy, type LoadedPolicy } from './wasm-module.ts';

export interface PolicyEvaluator {
  readonly digest: string;
  readonly entrypoint: string;
  evaluate(input: PolicyInput): PolicyDecision;
}

/** opa-wasm throws strings and plain objects; this gives them a readable shape. */
function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}

export function sortRules(rules: readonly PolicyRule[]): PolicyRule[] {
  return [...rules].sort((a, b) => cmp(a.id, b.id) || cmp(a.message, b.message) || cmp(a.effect, b.effect));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export async function loadEvaluator(bundle: PolicyBundle): Promise<PolicyEvaluator> {
  let policy: LoadedPolicy;
  try {
    policy = await instantiatePolicy(bundle.wasm);
    policy.setData((bundle.data ?? {}) as object);
  } catch (err) {
    throw new PolicyError(`policy bundle ${bundle.digest} does not load: ${describe(err)}`, { cause: err });
  }
  const { entrypoint, digest } = bundle;
  return {
    digest,
    entrypoint,
    evaluate(input: PolicyInput): PolicyDecision {
      const valid = PolicyInput.safeParse(input);
      if (!valid.success) {
        const issue = valid.error.issues[0];
        throw new PolicyError(
          `policy input is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'unknown'}`,
          { code: 'policy-input-invalid' },
        );
      }
      let results: { result?: unknown }[];
      try {
        results = policy.evaluate(valid.data, entrypoint) as { result?: unknown }[];
      } catch (err) {
        throw new PolicyError(`evaluating ${entrypoint} failed: ${describe(err)}`, { cause: err });
      }
      const first = results[0];
      if (!first || first.result === undefined) {
        throw new PolicyError(`policy entrypoint ${entrypoint} is undefined for this input (bundle ${digest})`);
      }
      const parsed = PolicyDecision.safeParse(first.result);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new PolicyError(
          `${entrypoint} returned a malformed decision at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'unknown'}`,
        );
      }
      return { ...parsed.data, rules: sortRules(parsed.data.rules) };
    },
  };
}
