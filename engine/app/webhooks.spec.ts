import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { labelsFor, renderBody } from '../publish/github/markers.ts';
import { fixturePublish } from './__fixtures__/requests.ts';
import { Metrics } from './metrics.ts';
import type { Logger, RepoRef } from './types.ts';
import { createWebhookHandler, type WebhookDeps } from './webhooks.ts';

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{
  name: string;
  examples: Array<Record<string, unknown> & { action?: string; pull_request?: Record<string, unknown> }>;
}>;
const SECRET = 'webhook-secret-for-tests-0123456789';
const BOT = 'salve-app[bot]';

/** GitHub's own `pull_request` payload for `action`, as salve's bot's PR. */
function payload(action: 'closed' | 'reopened' | 'synchronize', merged: boolean, pusher?: string): string {
  const ex = examples.find((e) => e.name === 'pull_request')?.examples.find((e) => e.action === action);
  if (!ex?.pull_request) throw new Error(`no pull_request.${action} example`);
  const pr = ex.pull_request;
  const ours = fixturePublish().request;
  return JSON.stringify({
    ...ex,
    ...(pusher ? { sender: { ...(ex.sender as object), login: pusher } } : {}),
    pull_request: {
      ...pr,
      merged,
      user: { ...(pr.user as object), login: BOT, type: 'Bot' },
      body: renderBody(ours),
      labels: labelsFor(ours).map((name, id) => ({ id, name })),
    },
  });
}

function world(over: Partial<WebhookDeps>) {
  const errors: Array<Record<string, unknown>> = [];
  const log: Logger = {
    debug() {},
    info() {},
    warn() {},
    error: (o: Record<string, unknown>) => void errors.push(o),
    child: () => log,
  } as unknown as Logger;
  const metrics = new Metrics(null);
  const handle = createWebhookHandler({
    secret: SECRET,
    metrics,
    logger: log,
    deliveries: { claim: async () => true },
    botLogin: async () => BOT,
    forgetInstallation() {},
    ...over,
  });
  let n = 0;
  const send = (name: string, rawBody: string) =>
    handle({
      id: `d-${++n}`,
      name,
      rawBody,
      signature: `sha256=${createHmac('sha256', SECRET).update(rawBody).digest('hex')}`,
    });
  return { send, errors, metrics };
}

describe('webhooks: a merged salve PR', () => {
  it('starts its follow-up even when the closed-PR handling throws, and logs that failure', async () => {
    const followed: Array<[RepoRef, number]> = [];
    const w = world({
      onOwnPullClosed: async () => {
        throw new Error('pending list unavailable');
      },
      onMerged: async (repo, pull) => void followed.push([repo, pull.number]),
    });
    expect(await w.send('pull_request', payload('closed', true))).toBe('accepted');
    expect(followed).toHaveLength(1);
    expect(w.errors).toHaveLength(1);
    expect(w.errors[0]).toMatchObject({ handler: 'pull-closed' });
    expect((w.errors[0]?.err as Error).message).toBe('pending list unavailable');
    expect(w.metrics.get('salve_errors_total', { stage: 'webhook' })).toBe(1);
  });

  it('runs the closed-PR handling when the follow-up throws; both failures are logged, none lost', async () => {
    const closed: string[] = [];
    const w = world({
      onOwnPullClosed: async (repo) => void closed.push(repo),
      onMerged: async () => {
        throw new Error('config repo unreadable');
      },
    });
    expect(await w.send('pull_request', payload('closed', true))).toBe('accepted');
    expect(closed).toHaveLength(1);
    expect(w.errors.map((e) => e.handler)).toEqual(['follow-up']);

    const both = world({
      onOwnPullClosed: async () => {
        throw new Error('a');
      },
      onMerged: async () => {
        throw new Error('b');
      },
    });
    await both.send('pull_request', payload('closed', true));
    expect(both.errors.map((e) => e.handler).sort()).toEqual(['follow-up', 'pull-closed']);
    expect(both.metrics.get('salve_errors_total', { stage: 'webhook' })).toBe(2);
  });

  it('a PR closed unmerged or reopened cancels its follow-up; a merged one does not', async () => {
    const cancelled: number[] = [];
    const followed: number[] = [];
    const w = world({
      onMerged: async (_repo, pull) => void followed.push(pull.number),
      onUnmerged: async (_repo, pull) => void cancelled.push(pull),
    });
    await w.send('pull_request', payload('closed', false));
    await w.send('pull_request', payload('reopened', false));
    expect(cancelled).toHaveLength(2);
    expect(followed).toEqual([]);
    await w.send('pull_request', payload('closed', true));
    expect(cancelled).toHaveLength(2);
    expect(followed).toHaveLength(1);
  });
});

describe('webhooks: a push to a salve branch', () => {
  it("freezes the branch when someone else pushed, and ignores salve's own pushes", async () => {
    const frozen: Array<[number, string]> = [];
    const w = world({ onForeignPush: async (_repo, pull, pusher) => void frozen.push([pull.number, pusher]) });
    expect(await w.send('pull_request', payload('synchronize', false, BOT))).toBe('accepted');
    expect(frozen).toEqual([]);
    expect(await w.send('pull_request', payload('synchronize', false, 'mallory'))).toBe('accepted');
    expect(frozen).toHaveLength(1);
    expect(frozen[0]?.[1]).toBe('mallory');
  });

  it("leaves other people's PRs alone, and logs a failing freeze with its handler", async () => {
    const frozen: number[] = [];
    const theirs = JSON.parse(payload('synchronize', false, 'mallory')) as { pull_request: { user: object } };
    theirs.pull_request.user = { login: 'alice', type: 'User' };
    const w = world({ onForeignPush: async (_repo, pull) => void frozen.push(pull.number) });
    await w.send('pull_request', JSON.stringify(theirs));
    expect(frozen).toEqual([]);

    const failing = world({
      onForeignPush: async () => {
        throw new Error('GitHub unreachable');
      },
    });
    await failing.send('pull_request', payload('synchronize', false, 'mallory'));
    expect(failing.errors.map((e) => e.handler)).toEqual(['freeze']);
  });
});
