/**
 * Timing helpers for benchmarks: paired runs of a measurement and its reference, interleaved
 * (A B A B …) so both see the same machine, medians of each, and one printed line per figure.
 */
import { performance } from 'node:perf_hooks';

export interface Figure {
  name: string;
  /** The ratio (unit `x`) or the absolute value. */
  value: number;
  unit: string;
  /** What the figure was measured against, with the medians. */
  reference?: string;
  /** The goal, as printed: `<= 2x`. */
  goal?: string;
  /** Whether `value` meets the goal; absent when there is none. */
  met?: boolean;
}

/** Rounds of a paired measurement; `BENCH_ROUNDS` raises it, never below 7. */
export function rounds(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const asked = Number(env.BENCH_ROUNDS ?? 7);
  return Number.isInteger(asked) && asked >= 7 ? asked : 7;
}

export async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export interface Paired<T> {
  a: T[];
  b: T[];
}

/**
 * Runs `a` then `b`, `n` times (A B A B …), with `between` (untimed) before each run. Each side
 * returns what it measured (seconds, a rate, a sample).
 */
export async function interleave<T>(
  n: number,
  a: (i: number) => Promise<T>,
  b: (i: number) => Promise<T>,
  between: () => Promise<void> = async () => {},
): Promise<Paired<T>> {
  const out: Paired<T> = { a: [], b: [] };
  for (let i = 0; i < n; i++) {
    await between();
    out.a.push(await a(i));
    await between();
    out.b.push(await b(i));
  }
  return out;
}

/** Times both sides of an interleaved pair, in seconds. */
export function timed(fn: (i: number) => Promise<unknown>): (i: number) => Promise<number> {
  return (i) => timeIt(() => fn(i));
}

export function ratio(name: string, measured: number, reference: number, what: string, goal?: number): Figure {
  const value = measured / reference;
  return {
    name,
    value,
    unit: 'x',
    reference: what,
    ...(goal !== undefined ? { goal: `<= ${goal}x`, met: value <= goal } : {}),
  };
}

export function formatFigure(f: Figure): string {
  const value = f.unit === 'x' ? `${f.value.toFixed(2)}x` : `${Math.round(f.value).toLocaleString('en')} ${f.unit}`;
  const goal = f.goal ? `${f.goal} ${f.met ? 'met' : 'NOT MET'}` : '';
  return `${f.name.padEnd(52)} ${value.padStart(12)}  ${goal.padEnd(18)} ${f.reference ?? ''}`;
}

export const seconds = (s: number): string => (s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`);
