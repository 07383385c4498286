/** Timing helpers for benchmarks: medians of repeated runs, and one printed line per figure. */
import { performance } from 'node:perf_hooks';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  reference?: string;
}

export async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

export async function medianOf(runs: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await timeIt(() => fn(i)));
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

export function ratio(name: string, measured: number, reference: number, what: string): Figure {
  return { name, value: measured / reference, unit: 'x', reference: what };
}

export function formatFigure(f: Figure): string {
  const value = f.unit === 'x' ? `${f.value.toFixed(2)}x` : `${f.value.toFixed(2)} ${f.unit}`;
  return `${f.name.padEnd(44)} ${value.padStart(12)}   ${f.reference ?? ''}`;
}

export const seconds = (s: number): string => (s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`);
