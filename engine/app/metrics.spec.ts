import { describe, expect, it } from 'vitest';
import { authenticateIntake, signBody } from './intake-auth.ts';
import { Metrics } from './metrics.ts';
import { parseDuration } from './repo-settings.ts';

describe('app/metrics', () => {
  it('renders counters and gauges in the Prometheus text format', () => {
    const m = new Metrics();
    m.inc('salve_decisions_total', { mode: 'approve' });
    m.inc('salve_decisions_total', { mode: 'approve' });
    m.inc('salve_errors_total', { stage: 'pl"an' });
    m.set('salve_pending_remediations', 3);
    const text = m.render();
    expect(text).toContain('# TYPE salve_decisions_total counter\nsalve_decisions_total{mode="approve"} 2');
    expect(text).toContain('salve_errors_total{stage="pl\\"an"} 1');
    expect(text).toContain('# TYPE salve_pending_remediations gauge\nsalve_pending_remediations 3');
    expect(text).toContain('# TYPE salve_queue_depth gauge\nsalve_queue_depth 0');
  });

  it('authenticates the intake by bearer token or body HMAC', () => {
    const secrets = { token: 'tok-0123456789abcdef', hmacSecret: 'hmac-0123456789abcdef' };
    expect(authenticateIntake(secrets, { authorization: 'Bearer tok-0123456789abcdef' }, '{}')).toBe(true);
    expect(authenticateIntake(secrets, { authorization: 'Bearer tok-0123456789abcdeX' }, '{}')).toBe(false);
    expect(authenticateIntake(secrets, { signature: signBody(secrets.hmacSecret, '{"a":1}') }, '{"a":1}')).toBe(true);
    expect(authenticateIntake(secrets, { signature: signBody(secrets.hmacSecret, '{"a":1}') }, '{"a":2}')).toBe(false);
    expect(authenticateIntake({ hmacSecret: 'x'.repeat(16) }, { authorization: 'Bearer anything' }, '')).toBe(false);
  });

  it('parses hold periods', () => {
    expect(parseDuration('1h', 'x')).toBe(3_600_000);
    expect(parseDuration('1h30m', 'x')).toBe(5_400_000);
    expect(() => parseDuration('soon', '.salve.yaml: holdPeriod')).toThrow(/holdPeriod: "soon" is not a duration/);
  });
});
