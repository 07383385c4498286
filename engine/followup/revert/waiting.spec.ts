import { describe, expect, it } from 'vitest';
import type { Outcome } from '../types.ts';
import type { RevertResult } from './hook.ts';
import { afterWaiting, REVERT_WAITING_MARKER, waitingComment } from './waiting.ts';

const outcome: Outcome = {
  kind: 'harmful',
  score: { health: 1, alerts: 0, metrics: [], overall: 0.5 },
  reasons: ['Application podinfo-production Degraded after sync'],
  observation: {} as Outcome['observation'],
  decidedAt: '2025-06-12T11:00:00.000Z',
};
const planned = {
  files: ['deploy/overlays/production/memory.yaml'],
  parentCommit: 'a'.repeat(40),
  mergeCommit: 'b'.repeat(40),
  baseBranch: 'main',
  mode: 'automate',
};
const published = (
  publish: Extract<RevertResult, { kind: 'published' }>['publish'],
  mode = 'automate',
): RevertResult => ({
  kind: 'published',
  publish,
  input: {} as never,
  planned: { ...planned, mode },
});
const opened = {
  kind: 'opened',
  number: 58,
  url: 'https://github.com/acme/platform-config/pull/58',
  head: 'e',
} as const;

describe('what the merged PR says once a revert the caps held back is tried again', () => {
  it('opened under automate: the one comment links the revert and no longer says it waits', () => {
    const body = afterWaiting(outcome, published(opened), 3) ?? '';
    expect(body).toContain('### salve opened the revert');
    expect(body).toContain('salve opened it as [#58](https://github.com/acme/platform-config/pull/58) on try 3');
    expect(body).toContain('Policy decided **automate**');
    expect(body).toContain('- `deploy/overlays/production/memory.yaml`');
    expect(body).not.toContain(REVERT_WAITING_MARKER);
  });

  it('opened under approve, or held by policy: the hook has written its own comment', () => {
    expect(afterWaiting(outcome, published(opened, 'approve'), 2)).toBeNull();
    expect(afterWaiting(outcome, { kind: 'denied', explanation: 'a freeze' }, 2)).toBeNull();
  });

  it('a finding or a revert PR a human closed: the comment stops saying it waits, and says why (inert text)', () => {
    const finding = afterWaiting(
      outcome,
      { kind: 'finding', reason: 'files changed since <b>the merge</b>', files: [] },
      2,
    );
    expect(finding).toContain('### salve no longer waits to open the revert');
    expect(finding).toContain('salve found it cannot compute it: files changed since \\<b\\>the merge\\</b\\>.');
    expect(finding).not.toMatch(/(^|[^\\])<b>/);
    expect(finding).not.toContain(REVERT_WAITING_MARKER);
    const closed = afterWaiting(outcome, published({ kind: 'held', number: 58, closedAt: '2025-06-12T11:30:00Z' }), 4);
    expect(closed).toContain("its revert PR #58 was found closed without merging: a human's answer, not reopened");
  });

  it('the hourly cap is named with its limit and setting', () => {
    const body = waitingComment({
      job: { pull: 41 } as never,
      outcome,
      planned,
      cap: { kind: 'capped', reason: 'pull-requests-per-hour', limit: 3 },
      attempt: 4,
      maxTries: 12,
      nextAt: new Date('2025-06-12T12:20:00Z'),
    });
    expect(body).toContain(
      'but the hourly cap holds it back: at most 3 salve PRs opened per hour in this repository (`limits.pullRequestsPerHour`).',
    );
    expect(body).toContain('salve tries again at 2025-06-12 12:20 UTC (try 5 of 12)');
  });
});
