import { describe, expect, it } from 'vitest';
import { decide, healthScore, improvement, score } from './score.ts';
import type { Observation } from './types.ts';

const NOW = new Date('2026-03-02T10:30:00Z');

function obs(over: Partial<Observation> = {}): Observation {
  return {
    sync: {
      application: 'argocd/checkout-production',
      settled: true,
      revision: 'b'.repeat(40),
      syncStatus: 'Synced',
      health: 'Healthy',
    },
    pods: { total: 3, ready: 3, restartsSinceSync: 0, oomsSinceSync: 0, failing: 0 },
    alerts: { firingAtMerge: ['KubePodOOMKilled'], stillFiring: [], newFiring: [] },
    slos: [{ slo: 'http', metric: 'error-rate', limit: 0.01, before: 0.004, after: 0.002 }],
    canaries: [],
    gaps: [],
    ...over,
  };
}

describe('engine/followup/score', () => {
  it('grades health continuously: 9 ready of 10 is not 6 of 10', () => {
    const nine = healthScore(
      obs({ pods: { total: 10, ready: 9, restartsSinceSync: 0, oomsSinceSync: 0, failing: 0 } }),
    );
    const six = healthScore(obs({ pods: { total: 10, ready: 6, restartsSinceSync: 0, oomsSinceSync: 0, failing: 0 } }));
    expect([nine, six]).toEqual([0.9, 0.6]);
    expect(healthScore(obs({ pods: { total: 3, ready: 3, restartsSinceSync: 1, oomsSinceSync: 1, failing: 0 } }))).toBe(
      0.25,
    );
  });

  it('keeps the sign of an SLI change, clamped to [-1, 1]', () => {
    expect(improvement(0.004, 0.002)).toBe(0.5);
    expect(improvement(0.002, 0.01)).toBe(-1);
    expect(improvement(0, 0.01)).toBe(-1);
    expect(improvement(0, 0)).toBe(0);
  });

  it('is effective when pods are healthy, the alert resolved and the SLI improved', () => {
    const o = decide(obs(), NOW);
    expect(o.kind).toBe('effective');
    expect(o.score).toEqual({
      health: 1,
      alerts: 1,
      metrics: [{ slo: 'http', metric: 'error-rate', improvement: 0.5 }],
      overall: 0.938,
    });
    expect(score(obs()).overall).toBe(o.score.overall);
  });

  it('is ineffective when the triggering alert still fires', () => {
    const o = decide(
      obs({ alerts: { firingAtMerge: ['KubePodOOMKilled'], stillFiring: ['KubePodOOMKilled'], newFiring: [] } }),
      NOW,
    );
    expect(o.kind).toBe('ineffective');
    expect(o.reasons).toEqual(['still firing: KubePodOOMKilled']);
  });

  it('is ineffective when OOM kills continue after the sync', () => {
    const o = decide(obs({ pods: { total: 3, ready: 3, restartsSinceSync: 1, oomsSinceSync: 1, failing: 0 } }), NOW);
    expect(o.kind).toBe('ineffective');
    expect(o.reasons).toContain('1 OOM kill since the sync');
  });

  it('is harmful when the AnalysisRun failed, whatever else holds', () => {
    const o = decide(
      obs({
        canaries: [
          { kind: 'AnalysisRun', name: 'checkout-2', phase: 'Failed', failed: true, message: 'error-rate failed' },
        ],
      }),
      NOW,
    );
    expect(o.kind).toBe('harmful');
    expect(o.reasons[0]).toBe('AnalysisRun checkout-2 Failed: error-rate failed');
  });

  it('is harmful when an SLI newly breaches its envelope, or the Application is Degraded', () => {
    const breach = decide(
      obs({ slos: [{ slo: 'http', metric: 'latency', limit: 0.5, before: 0.3, after: 0.9 }] }),
      NOW,
    );
    expect(breach.kind).toBe('harmful');
    expect(breach.reasons[0]).toBe('http latency 0.9 breaches its limit 0.5 (before: 0.3)');
    const degraded = decide(obs({ sync: { ...obs().sync, health: 'Degraded' } }), NOW);
    expect(degraded.kind).toBe('harmful');
  });

  it('does not call a breach that was already there and did not worsen harmful', () => {
    const o = decide(obs({ slos: [{ slo: 'http', metric: 'latency', limit: 0.5, before: 0.9, after: 0.92 }] }), NOW);
    expect(o.kind).toBe('effective');
  });

  it('is harmful when new alerts fire about the workload', () => {
    const o = decide(obs({ alerts: { firingAtMerge: [], stillFiring: [], newFiring: ['KubePodCrashLooping'] } }), NOW);
    expect(o.kind).toBe('harmful');
  });

  it('is inconclusive when Argo CD never reported the merge, and names what it could not read', () => {
    const o = decide(
      obs({
        sync: { application: null, settled: false, revision: null, syncStatus: null, health: null },
        gaps: ['cluster production: salve has no read access to it'],
      }),
      NOW,
    );
    expect(o.kind).toBe('inconclusive');
    expect(o.reasons).toEqual([
      'Argo CD never reported the merge synced and settled (sync unknown, revision unknown, health unknown)',
      'not read: cluster production: salve has no read access to it',
    ]);
  });

  it('is inconclusive while the analysis still runs', () => {
    const o = decide(obs({ canaries: [{ kind: 'AnalysisRun', name: 'a', phase: 'Running', failed: false }] }), NOW);
    expect(o.kind).toBe('inconclusive');
  });

  it('is deterministic', () => {
    expect(decide(obs(), NOW)).toEqual(decide(obs(), NOW));
  });
});
