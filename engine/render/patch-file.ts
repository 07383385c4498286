/** Strategic-merge patch files salve writes into an overlay. */
import { stringify } from 'yaml';

export interface PatchObject {
  apiVersion: string;
  kind: string;
  name: string;
  /**
   * Leave out when the overlay sets `namespace:` or the base objects carry none: kustomize applies
   * patches before its namespace transformer, so a namespaced patch then matches nothing.
   */
  namespace?: string;
  /** The fragment of `spec` to merge (list items matched by their merge key, e.g. container `name`). */
  spec: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Puts `name` first in every mapping (the merge key reads best first); other keys keep their order. */
function nameFirst(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(nameFirst);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  if ('name' in value) out.name = nameFirst(value.name);
  for (const [key, child] of Object.entries(value)) if (key !== 'name') out[key] = nameFirst(child);
  return out;
}

/**
 * A patch file: `# `-prefixed header lines, then apiVersion, kind, metadata and the spec fragment.
 * The same input always gives the same bytes (two-space indent, indented lists, no line folding).
 */
export function strategicMergePatch(object: PatchObject, header: string): string {
  const metadata: Record<string, string> = { name: object.name };
  if (object.namespace !== undefined) metadata.namespace = object.namespace;
  const body = { apiVersion: object.apiVersion, kind: object.kind, metadata, spec: nameFirst(object.spec) };
  const comment = header
    .split(/\r?\n/)
    .map((line) => (line.trim() === '' ? '#' : `# ${line}`))
    .join('\n');
  const yaml = stringify(body, { indent: 2, indentSeq: true, lineWidth: 0, sortMapEntries: false });
  return header.trim() === '' ? yaml : `${comment}\n${yaml}`;
}
