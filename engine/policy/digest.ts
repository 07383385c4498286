/**
 * Canonical JSON and sha256 digests: the one way salve turns a value into bytes it signs or compares.
 * Canonical form: object keys sorted by code unit, no whitespace, `undefined` members dropped,
 * arrays kept in order. Non-finite numbers and other non-JSON values are refused.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../model/errors.ts';

export function canonicalJson(value: unknown): string {
  return encode(value, '$');
}

function encode(value: unknown, where: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new InputError(`canonical JSON: ${where} is ${value}, not a finite number`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((v, i) => (v === undefined ? 'null' : encode(v, `${where}[${i}]`))).join(',')}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new InputError(`canonical JSON: ${where} is a ${proto?.constructor?.name ?? 'object'}, not plain data`);
      }
      const record = value as Record<string, unknown>;
      const members = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${encode(record[k], `${where}.${k}`)}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw new InputError(`canonical JSON: ${where} is a ${typeof value}, not JSON`);
  }
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `sha256:<hex>` of the value's canonical JSON. */
export function digestOf(value: unknown): string {
  return `sha256:${sha256Hex(canonicalJson(value))}`;
}
