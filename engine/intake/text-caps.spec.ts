import { describe, expect, it } from 'vitest';
import { intakeAlertmanager } from './alertmanager.ts';
import { capLabels, capText, MAX_LABELS, MAX_TEXT_BYTES } from './text-caps.ts';

describe('intake/text-caps', () => {
  it('cuts on a character boundary with a visible marker naming the size, once', () => {
    expect(capText('short')).toBe('short');
    const euro = '€'.repeat(5000); // 3 bytes each
    const cut = capText(euro, 100);
    expect(cut).toBe(`${'€'.repeat(33)}… (truncated, 15000 bytes)`);
    expect(capText(cut, 100)).toBe(cut);
    expect(capText('😀'.repeat(100), 10)).toBe('😀😀… (truncated, 400 bytes)');
  });

  it('keeps at most MAX_LABELS labels and says how many it left out', () => {
    const many = Object.fromEntries(Array.from({ length: MAX_LABELS + 7 }, (_, i) => [`l${i}`, 'v']));
    const capped = capLabels(many);
    expect(Object.keys(capped)).toHaveLength(MAX_LABELS + 1);
    expect(capped['(truncated)']).toBe('7 more labels left out');
  });

  it('caps every free-text field of an Alertmanager alert before it becomes a signal', () => {
    const huge = 'x'.repeat(10 * 1024 * 1024);
    const { signals } = intakeAlertmanager(
      {
        version: '4',
        groupKey: 'g',
        status: 'firing',
        receiver: 'salve',
        groupLabels: {},
        commonLabels: {},
        externalURL: 'http://alertmanager:9093',
        alerts: [
          {
            status: 'firing',
            labels: {
              alertname: 'KubePodCrashLooping',
              cluster: 'c',
              namespace: 'shop',
              pod: 'web-7d9f8-abcde',
              team: huge,
            },
            annotations: { description: huge, runbook_url: huge },
            startsAt: '2025-03-04T09:58:00Z',
            generatorURL: huge,
            fingerprint: 'f1',
          },
        ],
      },
      { now: new Date('2025-03-04T10:00:00Z') },
    );
    const json = JSON.stringify(signals);
    expect(json.length).toBeLessThan(16 * 1024);
    expect(signals[0]?.evidence[0]?.summary).toMatch(/^x{4096}… \(truncated, 10485760 bytes\)$/);
    expect(signals[0]?.labels.team).toMatch(/… \(truncated, 10485760 bytes\)$/);
    expect(Buffer.byteLength(signals[0]?.evidence[0]?.summary ?? '')).toBeLessThan(MAX_TEXT_BYTES + 64);
  });
});
