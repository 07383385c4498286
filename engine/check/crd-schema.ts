/**
 * Validates Argo Rollouts objects against the openAPIV3Schema of the CRDs salve ships
 * (`schemas/argo-rollouts/`). Stricter than the API server's pruning: a field the CRD does not
 * define is an error, so a misspelled key is caught before it silently disappears in the cluster.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { ConfigError } from '../model/errors.ts';
import type { K8sObject } from '../model/remediation.ts';

export const ARGO_ROLLOUTS_GROUP = 'argoproj.io';
const CRD_FILES = ['rollout-crd.yaml', 'analysis-template-crd.yaml'];

export interface SchemaProblem {
  kind: string;
  name: string;
  /** JSON pointer into the object, e.g. `/spec/strategy/canary/stepz`. */
  path: string;
  message: string;
}

type Schema = Record<string, unknown>;

/** `<kind>/<version>` → compiled validator. */
export type CrdValidators = Map<string, ValidateFunction>;

/** The directory holding the CRDs: beside the checkout's engine or the bundled Action's `dist/`. */
export function schemasDir(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'schemas', 'argo-rollouts');
    if (existsSync(join(candidate, CRD_FILES[0] as string))) return candidate;
    dir = resolve(dir, '..');
  }
  throw new ConfigError(`Argo Rollouts CRD schemas not found in schemas/argo-rollouts above ${from}`);
}

/**
 * Makes unknown fields errors: every object schema that lists `properties` and says nothing about
 * other keys gets `additionalProperties: false`. Descriptions are dropped (a third of the bytes).
 */
export function closeSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node as Schema)) {
    if (key === 'description') continue;
    out[key] = key === 'properties' ? mapValues(value as Schema, closeSchema) : closeSchema(value);
  }
  if (out.properties && !('additionalProperties' in out) && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

function mapValues(obj: Schema, fn: (v: unknown) => unknown): Schema {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fn(v)]));
}

/** Compiles the shipped CRDs (≈ 1-2 s, mostly YAML parsing); pass the result to `validateArgoRollouts` to reuse it. */
export function compileCrdValidators(dir = schemasDir()): CrdValidators {
  // Unoptimised code generation compiles these large schemas about three times faster.
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateFormats: false,
    logger: false,
    code: { optimize: false },
  });
  const validators: CrdValidators = new Map();
  for (const file of CRD_FILES) {
    const path = join(dir, file);
    for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
      const crd = doc.toJS() as {
        spec?: {
          names?: { kind?: string };
          versions?: Array<{ name: string; schema?: { openAPIV3Schema?: unknown } }>;
        };
      };
      const kind = crd.spec?.names?.kind;
      for (const version of crd.spec?.versions ?? []) {
        const schema = version.schema?.openAPIV3Schema;
        if (!kind || !schema) throw new ConfigError(`${path}: CRD version ${version.name} has no openAPIV3Schema`);
        validators.set(`${kind}/${version.name}`, ajv.compile(closeSchema(schema) as Schema));
      }
    }
  }
  return validators;
}

let compiled: CrdValidators | null = null;

/** Compiled on first use and kept: the schemas are immutable files shipped with salve. */
function defaultValidators(): CrdValidators {
  compiled ??= compileCrdValidators();
  return compiled;
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
 * are not looked at. `[]` when every one is valid.
 */
export function validateArgoRollouts(objects: readonly K8sObject[], validators?: CrdValidators): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  for (const obj of objects) {
    const [group, version] = obj.apiVersion.split('/');
    if (group !== ARGO_ROLLOUTS_GROUP || !version || !CRD_KINDS.has(obj.kind)) continue;
    const name = obj.metadata?.name ?? '(unnamed)';
    const validate = (validators ?? defaultValidators()).get(`${obj.kind}/${version}`);
    if (!validate) {
      problems.push({
        kind: obj.kind,
        name,
        path: '/apiVersion',
        message: `no schema for ${obj.apiVersion} ${obj.kind}`,
      });
      continue;
    }
    const valid: boolean = validate(obj as unknown);
    if (valid) continue;
    const seen = new Set<string>();
    for (const err of validate.errors ?? []) {
      const { path, message } = describeError(err);
      const key = `${path} ${message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push({ kind: obj.kind, name, path, message });
    }
  }
  return problems;
}

const CRD_KINDS = new Set(['Rollout', 'AnalysisTemplate']);
