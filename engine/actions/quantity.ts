/**
 * Kubernetes resource quantities: memory in bytes, CPU in millicores. Small on purpose: the npm
 * parsers only parse, and salve must write values back in the form a reviewer expects (Mi, m).
 */
import { InputError } from '../model/errors.ts';

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};
const QUANTITY = /^([+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

function parse(value: unknown, what: string): number {
  const text = typeof value === 'number' ? String(value) : value;
  const match = typeof text === 'string' ? QUANTITY.exec(text.trim()) : null;
  if (!match) throw new InputError(`not a Kubernetes quantity for ${what}: ${JSON.stringify(value)}`);
  const suffix = match[2] ?? '';
  const factor = BINARY[suffix] ?? DECIMAL[suffix] ?? 1;
  return Number(match[1]) * factor;
}

export function parseMemory(value: unknown): number {
  return Math.round(parse(value, 'memory'));
}

export function parseCpuMillis(value: unknown): number {
  return Math.round(parse(value, 'cpu') * 1000);
}

/** Bytes as Gi or Mi when whole, else Ki, else bytes. */
export function formatMemory(bytes: number): string {
  for (const unit of ['Gi', 'Mi', 'Ki'] as const) {
    const size = BINARY[unit] as number;
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

/** Millicores as whole cores when exact, else `<n>m`. */
export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** Raises bytes by `factor`, rounded up to a whole Mi, never above `capBytes`. */
export function raiseMemory(bytes: number, factor: number, capBytes: number): number {
  const mi = BINARY.Mi as number;
  return Math.min(Math.ceil((bytes * factor) / mi) * mi, capBytes);
}

/** Raises millicores by `factor`, rounded up to 10m, never above `capMillis`. */
export function raiseCpu(millis: number, factor: number, capMillis: number): number {
  return Math.min(Math.ceil((millis * factor) / 10) * 10, capMillis);
}
