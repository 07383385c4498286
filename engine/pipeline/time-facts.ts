/** The time facts policy reads: local weekday and hour, business hours and change freezes. */
import ms from 'ms';
import type { Environment, SalveConfig } from '../config/schema.ts';
import { ConfigError } from '../model/errors.ts';
import type { PolicyInput } from '../model/policy.ts';
import { localClock } from './local-clock.ts';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const DEFAULT_HOURS = { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };

/** Parses a duration such as `2h` or `30m` into seconds; a bad value names the field. */
export function durationSeconds(value: string, field: string): number {
  const millis = ms(value as ms.StringValue);
  if (typeof millis !== 'number' || !Number.isFinite(millis) || millis < 0) {
    throw new ConfigError(`.salve.yaml ${field}: not a duration: ${JSON.stringify(value)} (expected e.g. 30m, 2h, 1d)`);
  }
  return Math.round(millis / 1000);
}

/** `[1,2,3,4,5]` → `Mon–Fri`; `[1,3,5]` → `Mon, Wed, Fri`; `[]` → `no day`. */
export function weekdays(days: readonly number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (first === undefined || last === undefined) return 'no day';
  if (sorted.length > 2 && last - first === sorted.length - 1) return `${WEEKDAYS[first]}–${WEEKDAYS[last]}`;
  return sorted.map((d) => WEEKDAYS[d]).join(', ');
}

const pad = (n: number) => String(n).padStart(2, '0');

export function timeFacts(
  now: Date,
  env: Environment | undefined,
  envName: string,
  config: SalveConfig,
): PolicyInput['time'] {
  const timezone = env?.timezone ?? 'UTC';
  const hours = env?.businessHours ?? DEFAULT_HOURS;
  const { weekday, hour, minute } = localClock(now, timezone);
  const minutes = hour * 60 + minute;
  const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  const businessHours =
    hours.days.includes(weekday) && minutes >= toMinutes(hours.start) && minutes < toMinutes(hours.end);
  const freeze = config.freezes.find(
    (f) =>
      (f.environments.includes('*') || f.environments.includes(envName)) &&
      Date.parse(f.from) <= now.getTime() &&
      now.getTime() < Date.parse(f.to),
  );
  return {
    now: now.toISOString(),
    weekday,
    hour,
    businessHours,
    // What a reviewer reads in the rule's message: the local time and the window it fell outside.
    local: `${WEEKDAYS[weekday]} ${pad(hour)}:${pad(minute)} ${timezone}`,
    businessWindow: `${weekdays(hours.days)} ${hours.start}–${hours.end} ${timezone}`,
    freeze: freeze ? { active: true, name: freeze.name } : { active: false },
  };
}
