import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_SIGNALS } from '../demo/setup.ts';
import { parseSignalFile } from '../intake/index.ts';
import { scoreRisk } from './risk.ts';

const NOW = new Date('2025-06-12T10:00:00Z');

async function restartsFactor(file: string) {
  const signals = await parseSignalFile(join(EXAMPLE_SIGNALS, file), { cluster: 'production', now: NOW });
  return scoreRisk(signals).attributions.find((a) => a.factor === 'restarts');
}

describe('perceive/restarts', () => {
  it('does not claim 0 restarts for an alerted crash loop: alerts carry no restart count', async () => {
    const factor = await restartsFactor('crashloop-checkout-production.json');
    expect(factor).toEqual({
      factor: 'restarts',
      weight: 0,
      detail: 'no restart count reported (alerts carry none; pod statuses do)',
    });
  });

  it('gives the count a pod status reports', async () => {
    const factor = await restartsFactor('pod-crashloop-catalog.json');
    expect(factor?.detail).toBe('up to 7 container restart(s), as pod status reports');
    expect(factor?.weight).toBeGreaterThan(0);
  });
});
