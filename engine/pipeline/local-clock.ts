/**
 * The wall clock (weekday, hour, minute) at an instant in an IANA time zone.
 *
 * Date's local-time getters read the zone named by TZ through ICU's zone table alone, where
 * Intl.DateTimeFormat also pulls in ICU's locale and calendar data: some 8 MB of a `salve plan`
 * process's memory and 20 ms, spent on one weekday and hour. So a canonical zone name
 * (Intl.supportedValuesOf) is read with TZ set to it for the synchronous moment of the reading,
 * then TZ is put back as it was; nothing else runs in between. Both ways read the same ICU zone
 * data (local-clock.spec compares them on every zone). An alias (`US/Pacific`) or an unknown name
 * goes through Intl.DateTimeFormat, which accepts the one and rejects the other.
 */
import { ConfigError } from '../model/errors.ts';

export interface LocalClock {
  /** 0 = Sunday. */
  weekday: number;
  hour: number;
  minute: number;
}

const UTC_NAMES = new Set(['UTC', 'Etc/UTC']);
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** ICU's canonical zone names: fixed for the process, and listing them costs 0.5 ms, so listed once. */
let canonical: ReadonlySet<string> | undefined;
function canonicalZones(): ReadonlySet<string> {
  canonical ??= new Set(Intl.supportedValuesOf('timeZone'));
  return canonical;
}

export function localClock(now: Date, timezone: string): LocalClock {
  if (UTC_NAMES.has(timezone))
    return { weekday: now.getUTCDay(), hour: now.getUTCHours(), minute: now.getUTCMinutes() };
  if (canonicalZones().has(timezone)) return inZone(now, timezone);
  return formatted(now, timezone);
}

/** Through Date's local time with TZ set to a canonical zone name. */
export function inZone(now: Date, timezone: string): LocalClock {
  const env = process.env;
  const before = env.TZ;
  env.TZ = timezone;
  try {
    const local = new Date(now.getTime());
    return { weekday: local.getDay(), hour: local.getHours(), minute: local.getMinutes() };
  } finally {
    if (before === undefined) delete env.TZ;
    else env.TZ = before;
  }
}

/** Through Intl.DateTimeFormat, which also knows the zones' aliases. */
export function formatted(now: Date, timezone: string): LocalClock {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(now);
  } catch (cause) {
    throw new ConfigError(`.salve.yaml environments[].timezone: unknown time zone ${JSON.stringify(timezone)}`, {
      cause,
    });
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { weekday: WEEKDAYS.indexOf(get('weekday')), hour: Number(get('hour')), minute: Number(get('minute')) };
}
