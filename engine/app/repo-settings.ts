/** What the publisher needs from the config repo's `.salve.yaml`: hold period and caps. */
import { ConfigError } from '../model/index.ts';
import type { PublishLimits } from '../publish/github/types.ts';
import { loadConfig, openSnapshot } from '../repo/index.ts';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `1h30m`, `2d` → milliseconds. */
export function parseDuration(text: string, where: string): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.trim()) {
    throw new ConfigError(`${where}: "${text}" is not a duration (e.g. 30m, 1h, 1h30m)`);
  }
  return parts.reduce((ms, p) => ms + Number(p[1]) * (UNIT_MS[p[2] as string] ?? 0), 0);
}

/** From `.salve.yaml` at the checkout's base commit (the clone has no working tree to read). */
export async function readPublishLimits(checkoutDir: string, commit: string): Promise<PublishLimits> {
  const { config: cfg } = await loadConfig(await openSnapshot(checkoutDir, commit));
  return {
    holdPeriodMs: parseDuration(cfg.holdPeriod, '.salve.yaml: holdPeriod'),
    openPullRequests: cfg.limits.openPullRequests,
    pullRequestsPerHour: cfg.limits.pullRequestsPerHour,
  };
}
