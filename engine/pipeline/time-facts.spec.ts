import { describe, expect, it } from 'vitest';
import { type Environment, SalveConfig } from '../config/schema.ts';
import { ConfigError } from '../model/errors.ts';
import { timeFacts } from './time-facts.ts';

const config = SalveConfig.parse({});
const env = (timezone: string): Environment => ({
  name: 'production',
  tier: 'production',
  clusters: ['production'],
  timezone,
  businessHours: { days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' },
});

describe('pipeline/time-facts', () => {
  it('reads each zone its own clock, however often and in whatever order the zones are asked', () => {
    // Monday 2026-11-30 07:30 UTC: 08:30 in Berlin (open), 16:30 in Tokyo (open), Sunday 23:30 in Los Angeles.
    const now = new Date('2026-11-30T07:30:00Z');
    for (let round = 0; round < 2; round++) {
      expect(timeFacts(now, env('Europe/Berlin'), 'production', config)).toMatchObject({
        weekday: 1,
        hour: 8,
        businessHours: true,
        local: 'Mon 08:30 Europe/Berlin',
      });
      expect(timeFacts(now, env('America/Los_Angeles'), 'production', config)).toMatchObject({
        weekday: 0,
        hour: 23,
        businessHours: false,
        local: 'Sun 23:30 America/Los_Angeles',
      });
      expect(timeFacts(now, env('Asia/Tokyo'), 'production', config).local).toBe('Mon 16:30 Asia/Tokyo');
    }
    const later = new Date('2026-11-30T17:05:00Z');
    expect(timeFacts(later, env('Europe/Berlin'), 'production', config)).toMatchObject({
      hour: 18,
      businessHours: false,
    });
  });

  it('an unknown zone is a ConfigError naming it, every time', () => {
    for (let round = 0; round < 2; round++) {
      expect(() => timeFacts(new Date(), env('Mars/Olympus'), 'production', config)).toThrow(ConfigError);
      expect(() => timeFacts(new Date(), env('Mars/Olympus'), 'production', config)).toThrow(
        /unknown time zone "Mars\/Olympus"/,
      );
    }
  });
});
