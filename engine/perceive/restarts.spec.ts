import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_SIGNALS } from '../demo/setup.ts';
import { parseSignalFile } from '../intake/index.ts';
import { restartsDetail } from './restarts.ts';
import { scoreRisk } from './risk.ts';

const NOW = new Date('2025-06-12T10:00:00Z');

async function signalsOf(file: string) {
  return parseSignalFile(join(EXAMPLE_SIGNALS, file), { cluster: 'production', now: NOW });
}

async function restartsFactor(file: string) {
  return scoreRisk(await signalsOf(file)).attributions.find((a) => a.factor === 'restarts');
}

describe('perceive/restarts', () => {
  it('does not claim 0 restarts for an alerted crash loop: alerts carry no restart count', async () => {
    const signals = await signalsOf('crashloop-checkout-production.json');
    expect(restartsDetail(signals)).toBe('no restart count reported (alerts carry none; pod statuses do)');
    // The fitted model lists a factor only when it moves the score: with no count it contributes nothing.
    expect(scoreRisk(signals).attributions.find((a) => a.factor === 'restarts')).toBeUndefined();
    expect(scoreRisk(signals).attributions.map((a) => a.detail)).not.toContainEqual(
      expect.stringMatching(/\b0 .*restart/),
    );
  });

  it('gives the count a pod status reports', async () => {
    const factor = await restartsFactor('pod-crashloop-catalog.json');
    expect(factor?.detail).toBe('up to 7 container restarts, as pod status reports');
    expect(factor?.weight).toBeGreaterThan(0);
  });
});
