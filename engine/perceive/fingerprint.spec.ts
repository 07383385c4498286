import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprint, shortFingerprint } from './fingerprint.ts';

describe('perceive/fingerprint', () => {
  const target = {
    cluster: 'production',
    namespace: 'checkout',
    kind: 'Deployment',
    name: 'checkout',
  };

  it('is the sha256 of cluster/namespace/kind/name', () => {
    const expected = createHash('sha256').update('production/checkout/Deployment/checkout').digest('hex');
    expect(fingerprint(target)).toBe(expected);
    expect(shortFingerprint(fingerprint(target))).toBe(expected.slice(0, 10));
  });

  it('differs when any part differs', () => {
    const fps = new Set([
      fingerprint(target),
      fingerprint({ ...target, cluster: 'staging' }),
      fingerprint({ ...target, namespace: 'other' }),
      fingerprint({ ...target, kind: 'HorizontalPodAutoscaler' }),
      fingerprint({ ...target, name: 'checkout2' }),
    ]);
    expect(fps.size).toBe(5);
  });
});
