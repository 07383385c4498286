/** Parses rendered manifests (kustomize output) into objects. */
import { LineCounter, parseAllDocuments } from 'yaml';
import { InputError } from '../model/errors.ts';
import type { K8sObject } from '../model/remediation.ts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every non-empty document of a multi-document YAML stream, in order.
 * `source` names the stream in errors (an overlay, a file).
 */
export function parseManifests(yaml: string, source = 'manifests'): K8sObject[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(yaml, { lineCounter });
  if (!Array.isArray(docs)) return [];
  const objects: K8sObject[] = [];
  docs.forEach((doc, index) => {
    const at = (offset: number): string => {
      const { line, col } = lineCounter.linePos(offset);
      return `${source}:${line}:${col}`;
    };
    const error = doc.errors[0];
    if (error)
      throw new InputError(
        `${at(error.pos[0])}: invalid YAML in document ${index + 1}: ${error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`,
      );
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    const start = doc.contents?.range[0] ?? 0;
    if (!isRecord(value)) throw new InputError(`${at(start)}: document ${index + 1} is not a mapping`);
    const metadata = value.metadata;
    if (typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') {
      throw new InputError(`${at(start)}: document ${index + 1} has no apiVersion or kind`);
    }
    if (!isRecord(metadata) || typeof metadata.name !== 'string') {
      throw new InputError(`${at(start)}: ${value.kind} in document ${index + 1} has no metadata.name`);
    }
    objects.push(value as K8sObject);
  });
  return objects;
}
