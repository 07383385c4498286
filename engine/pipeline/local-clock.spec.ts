import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../model/errors.ts';
import { formatted, inZone, localClock } from './local-clock.ts';

const tzBefore = process.env.TZ;
afterEach(() => {
  if (tzBefore === undefined) delete process.env.TZ;
  else process.env.TZ = tzBefore;
});

/** Instants through 2026, 11 days and 97 minutes apart: every weekday, hour and season, both DST turns. */
function instants(): Date[] {
  const out: Date[] = [];
  for (let t = Date.UTC(2026, 0, 1, 0, 7); t < Date.UTC(2027, 0, 1); t += (11 * 24 * 60 + 97) * 60_000)
    out.push(new Date(t));
  // Either side of the European and North American DST changes.
  for (const iso of ['2026-03-29T00:59:00Z', '2026-03-29T01:00:00Z', '2026-10-25T00:59:00Z', '2026-10-25T01:00:00Z']) {
    out.push(new Date(iso));
  }
  for (const iso of ['2026-03-08T09:59:00Z', '2026-03-08T10:00:00Z', '2026-11-01T08:59:00Z', '2026-11-01T09:00:00Z']) {
    out.push(new Date(iso));
  }
  return out;
}

describe('localClock', () => {
  it('reads the same weekday, hour and minute through TZ as Intl.DateTimeFormat, in every canonical zone', () => {
    const zones = Intl.supportedValuesOf('timeZone');
    expect(zones.length).toBeGreaterThan(300);
    const times = instants();
    const differ: string[] = [];
    for (const zone of zones) {
      for (const now of times) {
        const a = inZone(now, zone);
        const b = formatted(now, zone);
        if (a.weekday !== b.weekday || a.hour !== b.hour || a.minute !== b.minute) {
          differ.push(`${zone} ${now.toISOString()}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
        }
      }
    }
    expect(differ).toEqual([]);
  });

  it('knows summer time: Berlin is UTC+1 in winter and UTC+2 in summer', () => {
    expect(localClock(new Date('2026-01-15T08:30:00Z'), 'Europe/Berlin')).toEqual({ weekday: 4, hour: 9, minute: 30 });
    expect(localClock(new Date('2026-07-15T08:30:00Z'), 'Europe/Berlin')).toEqual({ weekday: 3, hour: 10, minute: 30 });
    // Across midnight the weekday is the zone's.
    expect(localClock(new Date('2026-07-15T23:30:00Z'), 'Asia/Tokyo')).toEqual({ weekday: 4, hour: 8, minute: 30 });
    expect(localClock(new Date('2026-07-15T23:30:00Z'), 'UTC')).toEqual({ weekday: 3, hour: 23, minute: 30 });
  });

  it('puts TZ back as it was, set or not', () => {
    delete process.env.TZ;
    localClock(new Date('2026-07-15T08:30:00Z'), 'Europe/Berlin');
    expect('TZ' in process.env).toBe(false);
    process.env.TZ = 'America/New_York';
    const offset = new Date('2026-07-15T08:30:00Z').getTimezoneOffset();
    expect(localClock(new Date('2026-07-15T08:30:00Z'), 'Asia/Kolkata')).toEqual({ weekday: 3, hour: 14, minute: 0 });
    expect(process.env.TZ).toBe('America/New_York');
    // Date's local time follows the restored zone again.
    expect(new Date('2026-07-15T08:30:00Z').getTimezoneOffset()).toBe(offset);
    expect(offset).toBe(240);
  });

  it('takes an alias through Intl.DateTimeFormat and rejects an unknown zone by name', () => {
    expect(Intl.supportedValuesOf('timeZone')).not.toContain('US/Pacific');
    expect(localClock(new Date('2026-07-15T20:00:00Z'), 'US/Pacific')).toEqual({ weekday: 3, hour: 13, minute: 0 });
    const err = (() => {
      try {
        localClock(new Date(), 'Mars/Olympus_Mons');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe('.salve.yaml environments[].timezone: unknown time zone "Mars/Olympus_Mons"');
  });
});
