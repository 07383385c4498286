/** What the publisher needs from the config repo's `.salve.yaml`: hold period and caps. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SalveConfig } from '../config/schema.ts';
import { ConfigError } from '../model/index.ts';
import type { PublishLimits } from '../publish/github/types.ts';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `1h30m`, `2d` → milliseconds. */
export function parseDuration(text: string, where: string): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.trim()) {
    throw new ConfigError(`${where}: "${text}" is not a duration (e.g. 30m, 1h, 1h30m)`);
  }
  return parts.reduce((ms, p) => ms + Number(p[1]) * (UNIT_MS[p[2] as string] ?? 0), 0);
}

export async function readPublishLimits(checkoutDir: string): Promise<PublishLimits> {
  const file = join(checkoutDir, '.salve.yaml');
  let text: string | null = null;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    text = null;
  }
  let raw: unknown = {};
  if (text !== null) {
    try {
      raw = parse(text) ?? {};
    } catch (err) {
      throw new ConfigError(`.salve.yaml: not YAML: ${(err as Error).message}`, { cause: err });
    }
  }
  const parsed = SalveConfig.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ConfigError(`.salve.yaml: ${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid'}`);
  }
  const cfg = parsed.data;
  return {
    holdPeriodMs: parseDuration(cfg.holdPeriod, '.salve.yaml: holdPeriod'),
    openPullRequests: cfg.limits.openPullRequests,
    pullRequestsPerHour: cfg.limits.pullRequestsPerHour,
  };
}
