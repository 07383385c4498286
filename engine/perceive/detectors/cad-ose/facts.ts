/**
 * cad-ose's sensor facts: a value is quantised into 2^`bits` levels of the value range seen so far
 * (or the range of the first `learn` points, then frozen), and each binary digit of its level is a
 * fact (digit i set → 2i+1, clear → 2i); the range's ends are levels 0 and 2^bits − 1. A value
 * above the range has a level past 2^bits − 1, so more digits and facts never seen; one below a frozen range is a fact of its own per level.
 */
export interface Range {
  lo: number;
  hi: number;
}

/** Levels past this many digits are clamped (a value far above the range is one fact set). */
export const EXTRA_DIGITS = 4;
const BELOW = 1000;

export function level(v: number, r: Range, bits: number): number {
  const span = r.hi - r.lo;
  const step = (span > 0 ? span : Math.abs(r.hi) > 0 ? Math.abs(r.hi) : 1) / (2 ** bits - 1);
  const l = Math.floor((v - r.lo) / step);
  return Math.max(-64, Math.min(2 ** (bits + EXTRA_DIGITS) - 1, l));
}

/** The sorted facts of a level. */
export function facts(l: number, bits: number): number[] {
  if (l < 0) return [BELOW - l];
  const out: number[] = [];
  for (let i = 0; i < bits || l >> i > 0; i++) out.push(2 * i + ((l >> i) & 1));
  return out;
}
