import { describe, expect, it } from 'vitest';
import type { AlertmanagerAlert } from '../intake/alertmanager-schema.ts';
import { toEntry, toEntryJson, versionOf } from './entries.ts';
import { planEnqueue } from './memory-inbox.ts';
import type { InboxEntry } from './types.ts';

const alert = (fingerprint: string, extra: Record<string, string> = {}): AlertmanagerAlert => ({
  status: 'firing',
  labels: { alertname: 'KubePodCrashLooping', namespace: 'shop', pod: 'web-7d9f8b6c5d-x2x4z', ...extra },
  annotations: { summary: 'quote " backslash \\ newline \n line separator \u2028 <b>' },
  startsAt: '2025-03-04T09:58:00Z',
  fingerprint,
});

describe('state/entries', () => {
  it('gives the entry and its JSON text, byte for byte what JSON.stringify makes of it', () => {
    const a = alert('f"1\\', { cluster: 'prod "eu"' });
    const { entry, json } = toEntryJson(a);
    expect(entry).toEqual(toEntry(a));
    expect(json).toBe(JSON.stringify(entry));
    expect(entry).toMatchObject({ owner: 'prod "eu"/shop/Deployment/web', id: 'f"1\\:2025-03-04T09:58:00Z' });
    expect(entry.version).toBe(versionOf(a));
    expect(versionOf({ ...a, status: 'resolved' })).not.toBe(entry.version);
  });

  it('plans one put per alert identity, keeping the last copy a payload repeats, and caps an owner', () => {
    const inbox = new Map<string, Map<string, Map<string, InboxEntry>>>();
    const bounds = { maxOwners: 10, maxAlertsPerOwner: 3 };
    const changed = { ...alert('1'), status: 'resolved' as const };
    const { puts, result } = planEnqueue(
      inbox,
      'acme/config',
      [alert('1'), changed, alert('2'), alert('3'), alert('4')],
      bounds,
    );
    expect(puts.map((p) => p.entry.alert)).toEqual([changed, alert('2'), alert('3')]);
    expect(puts.every((p) => p.json === JSON.stringify(p.entry))).toBe(true);
    expect(result).toEqual({ stored: 3, capped: 1 });
  });
});
