/**
 * Container restarts as the signals report them. Only pod statuses carry a restart count; an
 * alert carries none, so "0 restarts" on an alerted crash loop would be a claim with no evidence:
 * an unreported count is `null`, and the detail says so.
 */
import type { Signal } from '../model/index.ts';
import { counted } from '../model/words.ts';

/** The highest restart count any signal reports, or null when none reports one. */
export function maxRestarts(signals: readonly Signal[]): number | null {
  let max: number | null = null;
  for (const s of signals)
    for (const e of s.evidence) {
      const r = e.data?.restartCount;
      if (typeof r === 'number' && Number.isFinite(r) && r > (max ?? -1)) max = r;
    }
  return max;
}

/** What a reviewer reads beside the restarts factor. */
export function restartsDetail(signals: readonly Signal[]): string {
  const max = maxRestarts(signals);
  if (max === null) return 'no restart count reported (alerts carry none; pod statuses do)';
  return `up to ${counted(max, 'container restart')}, as pod status reports`;
}
