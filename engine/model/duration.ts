/** Durations as people read them in explanations and policy messages. */

const UNITS: readonly [string, number][] = [
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
];

/**
 * Seconds as a reviewer reads them: the two largest units, truncated (`259200` → `3d`, `5400` →
 * `1h 30m`, `7199` → `1h 59m`): never more than the value, so "below a limit" stays true as shown.
 */
export function formatDuration(seconds: number): string {
  let rest = Math.max(0, Math.floor(seconds));
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${n}${unit}`);
    if (parts.length === 2) break;
  }
  const shown = parts.filter((p) => !/^0[a-z]$/.test(p));
  return shown.length > 0 ? shown.join(' ') : '0s';
}
