/** How long a repository waits after a failed run: GitHub's Retry-After when it gave one, else doubling. */

export interface BackoffOptions {
  /** First delay (default 5 s); doubles per attempt. */
  baseMs: number;
  /** Longest delay (default 5 min). */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 5_000, maxMs: 300_000 };

/** Seconds GitHub asked to wait (Retry-After, or a primary limit's reset time), found on the error or its causes. */
export function retryAfterMs(err: unknown, nowMs: number): number | null {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const headers = (e as { response?: { headers?: Record<string, string | undefined> } }).response?.headers;
    const after = Number(headers?.['retry-after']);
    if (Number.isFinite(after) && after >= 0) return after * 1000;
    const reset = Number(headers?.['x-ratelimit-reset']);
    if (headers?.['x-ratelimit-remaining'] === '0' && Number.isFinite(reset)) return Math.max(0, reset * 1000 - nowMs);
  }
  return null;
}

export function backoffMs(
  attempt: number,
  err: unknown,
  nowMs: number,
  opts: BackoffOptions = DEFAULT_BACKOFF,
): number {
  const doubling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
  const asked = retryAfterMs(err, nowMs);
  return asked === null ? doubling : Math.min(Math.max(asked, opts.baseMs), Math.max(opts.maxMs, asked));
}
