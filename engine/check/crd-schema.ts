/**
 * Validates Argo Rollouts objects against the openAPIV3Schema of the CRDs salve ships
 * (`schemas/argo-rollouts/`). Stricter than the API server's pruning: a field the CRD does not
 * define is an error, so a misspelled key is caught before it silently disappears in the cluster.
 *
 * The validators are compiled at build time (scripts/generate-crd-validators → crd-validators/)
 * and each is loaded the first time an object of its kind and version is validated.
 */
import type { ErrorObject } from 'ajv';
import type { K8sObject } from '../model/remediation.ts';

export const ARGO_ROLLOUTS_GROUP = 'argoproj.io';

export interface SchemaProblem {
  kind: string;
  name: string;
  /** JSON pointer into the object, e.g. `/spec/strategy/canary/stepz`. */
  path: string;
  message: string;
}

/** What a compiled validator is: ajv's ValidateFunction, as generated or compiled in memory. */
export interface CrdValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** `<kind>/<version>` → validator. */
export type CrdValidators = Map<string, CrdValidator>;

/** The generated modules, by `<kind>/<version>`; literal imports so bundlers keep them. */
const GENERATED: Record<string, () => Promise<{ validate: CrdValidator }>> = {
  'Rollout/v1alpha1': () => import('./crd-validators/rollout-v1alpha1.js'),
  'AnalysisTemplate/v1alpha1': () => import('./crd-validators/analysistemplate-v1alpha1.js'),
};

const CRD_KINDS = new Set(['Rollout', 'AnalysisTemplate']);

/** The generated validator of a kind and version, loaded once per process; null when none ships. */
export async function generatedValidator(key: string): Promise<CrdValidator | null> {
  const load = Object.hasOwn(GENERATED, key) ? GENERATED[key] : undefined;
  return load ? (await load()).validate : null;
}

function describeError(err: ErrorObject): { path: string; message: string } {
  if (err.keyword === 'additionalProperties') {
    const field = String((err.params as { additionalProperty: string }).additionalProperty);
    return { path: `${err.instancePath}/${field}`, message: `unknown field "${field}"` };
  }
  if (err.keyword === 'enum') {
    const allowed = (err.params as { allowedValues: unknown[] }).allowedValues;
    return {
      path: err.instancePath || '/',
      message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`,
    };
  }
  return { path: err.instancePath || '/', message: err.message ?? err.keyword };
}

/**
 * Problems in the Argo Rollouts objects among `objects` (Rollout, AnalysisTemplate); other kinds
 * are not looked at. `[]` when every one is valid. `validators` replaces the generated ones.
 */
export async function validateArgoRollouts(
  objects: readonly K8sObject[],
  validators?: CrdValidators,
): Promise<SchemaProblem[]> {
  const problems: SchemaProblem[] = [];
  for (const obj of objects) {
    const [group, version] = obj.apiVersion.split('/');
    if (group !== ARGO_ROLLOUTS_GROUP || !version || !CRD_KINDS.has(obj.kind)) continue;
    const name = obj.metadata?.name ?? '(unnamed)';
    const key = `${obj.kind}/${version}`;
    const validate = validators ? (validators.get(key) ?? null) : await generatedValidator(key);
    if (!validate) {
      problems.push({
        kind: obj.kind,
        name,
        path: '/apiVersion',
        message: `no schema for ${obj.apiVersion} ${obj.kind}`,
      });
      continue;
    }
    if (validate(obj as unknown)) continue;
    const seen = new Set<string>();
    for (const err of validate.errors ?? []) {
      const { path, message } = describeError(err);
      const problemKey = `${path} ${message}`;
      if (seen.has(problemKey)) continue;
      seen.add(problemKey);
      problems.push({ kind: obj.kind, name, path, message });
    }
  }
  return problems;
}
