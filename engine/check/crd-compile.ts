/**
 * Build-time side of the Argo Rollouts CRD validators: reads the CRDs salve ships
 * (`schemas/argo-rollouts/`), closes their schemas (unknown fields are errors) and compiles them
 * with ajv, either in memory or to standalone modules (`scripts/generate-crd-validators`). At run
 * time salve loads the generated modules (crd-schema.ts) and never parses or compiles a CRD.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type Options, type ValidateFunction } from 'ajv';
// CommonJS: its default export is the module object, whose `default` is the function.
import standalone from 'ajv/dist/standalone/index.js';
import { parseAllDocuments } from 'yaml';
import { ConfigError } from '../model/errors.ts';

/** The CRD files of the kinds salve renders (Rollout, AnalysisTemplate). */
export const CRD_FILES = ['rollout-crd.yaml', 'analysis-template-crd.yaml'];

type Schema = Record<string, unknown>;

/** The directory holding the CRDs, found above `from`. */
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

/**
 * Moves every object schema (one with `properties`) below the root into `definitions`, named by
 * the digest of its content, and refers to it. Identical subschemas (a Container under
 * `containers`, `initContainers` and `ephemeralContainers`) become one, and ajv generates one
 * small function per object type instead of one function the size of the CRD: the generated
 * module is a third of the size, and V8 compiles only the functions an object reaches.
 */
export function hoistObjectSchemas(schema: Schema): Schema {
  const definitions: Record<string, Schema> = {};
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== 'object') return node;
    const out: Schema = {};
    for (const [key, value] of Object.entries(node as Schema)) {
      if (key === 'enum' || key === 'required' || key === 'default') out[key] = value;
      else out[key] = key === 'properties' ? mapValues(value as Schema, visit) : visit(value);
    }
    if (!out.properties) return out;
    const id = `o${createHash('sha256').update(JSON.stringify(out)).digest('hex').slice(0, 16)}`;
    definitions[id] = out;
    return { $ref: `#/definitions/${id}` };
  };
  const root = mapValues(schema, (value) => value);
  if (root.properties) root.properties = mapValues(root.properties as Schema, visit);
  for (const key of ['items', 'additionalProperties', 'anyOf'] as const) if (key in root) root[key] = visit(root[key]);
  return { ...root, definitions };
}

/** `<kind>/<version>` → the closed, hoisted openAPIV3Schema of every version of the shipped CRDs. */
export function crdSchemas(dir = schemasDir()): Map<string, Schema> {
  const schemas = new Map<string, Schema>();
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
        schemas.set(`${kind}/${version.name}`, hoistObjectSchemas(closeSchema(schema) as Schema));
      }
    }
  }
  return schemas;
}

const OPTIONS: Options = {
  strict: false,
  allErrors: true,
  validateFormats: false,
  logger: false,
  inlineRefs: false,
};

/** Compiles the shipped CRDs in memory (seconds): what the generated modules hold, for tests. */
export function compileCrdValidators(dir = schemasDir()): Map<string, ValidateFunction> {
  const ajv = new Ajv({ ...OPTIONS, code: { optimize: false } });
  return new Map([...crdSchemas(dir)].map(([key, schema]) => [key, ajv.compile(schema)]));
}

/** The module file a kind and version compile to: `Rollout/v1alpha1` → `rollout-v1alpha1.js`. */
export function moduleFileOf(key: string): string {
  return `${key.replace('/', '-').toLowerCase()}.js`;
}

const HEADER =
  '// Generated by scripts/generate-crd-validators from schemas/argo-rollouts/ (Apache-2.0, see its LICENSE): do not edit.\n';

/** Standalone ESM source of each validator, by module file name: what the generator writes. */
export function standaloneModules(dir = schemasDir()): Map<string, string> {
  const modules = new Map<string, string>();
  for (const [key, schema] of crdSchemas(dir)) {
    const ajv = new Ajv({ ...OPTIONS, code: { source: true, esm: true, optimize: true } });
    modules.set(moduleFileOf(key), `${HEADER}${standalone.default(ajv, ajv.compile(schema))}\n`);
  }
  return modules;
}
