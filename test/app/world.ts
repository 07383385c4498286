/**
 * What the App's tests around the fake GitHub share: the App's key, a config repo checkout whose
 * base is whatever the fake's main branch says, a planner that plans on that base, and the checks
 * every fault must pass: one PR per branch, nothing half-made, nothing lost.
 */
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { expect } from 'vitest';
import { fixturePublish } from '../../engine/app/__fixtures__/requests.ts';
import type { Checkout, Planner } from '../../engine/app/types.ts';
import type { PlanResult } from '../../engine/model/remediation.ts';
import type { FakeGitHub } from './fake-github.ts';

export const WEBHOOK_SECRET = 'webhook-secret-for-tests-0123456789';
export const INTAKE_TOKEN = 'intake-token-for-tests-0123456789';

export function appKey(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
}

/**
 * The config repo at the fake's current main: a real git repository whose commit holds
 * `.salve.yaml` (the App reads its limits from the commit, not the working tree), and `.base`
 * naming the fake's main, which the planner plans on.
 */
export function fakeCheckout(fake: FakeGitHub): Checkout {
  return {
    async prepare() {
      const dir = await mkdtemp(join(tmpdir(), 'salve-fault-'));
      const base = fake.refs.get('main') as string;
      await git.init({ fs, dir, defaultBranch: 'main' });
      await writeFile(join(dir, '.salve.yaml'), 'holdPeriod: 1h\n');
      await git.add({ fs, dir, filepath: '.salve.yaml' });
      const author = { name: 'test', email: 'test@example.com', timestamp: 1_700_000_000, timezoneOffset: 0 };
      const commit = await git.commit({ fs, dir, message: 'config', author });
      await writeFile(join(dir, '.base'), base);
      return { dir, baseCommit: commit, baseBranch: 'main', cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
  };
}

/** Groups firing alerts by deployment, one remediation each, planned on the checkout's base. */
export function basePlanner(): Planner & { calls: number } {
  const planner = {
    calls: 0,
    async plan(payload: unknown, ctx: { now: Date; checkoutDir: string }): Promise<PlanResult[]> {
      planner.calls++;
      const base = await readFile(join(ctx.checkoutDir, '.base'), 'utf8');
      const alerts = (payload as { alerts: Array<{ status: string; labels: Record<string, string> }> }).alerts;
      const owners = new Set(alerts.filter((a) => a.status === 'firing').map((a) => a.labels.deployment ?? ''));
      return [...owners].map((name) => {
        const planned = fixturePublish({ namespace: 'shop', name, baseCommit: base, lastSeen: '2025-03-04T10:00:00Z' });
        // As the real proof does, the signed record names the base it was planned on.
        for (const f of planned.request.files)
          if (f.path.endsWith('proof.dsse.json'))
            f.after = (f.after ?? '').replace('{"payloadType"', `{"base":"${base}","payloadType"`);
        return planned;
      });
    },
  };
  return planner;
}

export function alertBody(deployment: string): string {
  const labels = {
    alertname: 'KubePodCrashLooping',
    namespace: 'shop',
    deployment,
    pod: `${deployment}-7d9f8b6c4-x2k9p`,
    container: 'app',
  };
  return JSON.stringify({
    version: '4',
    groupKey: '{}:{alertname="KubePodCrashLooping"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'salve',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: [
      {
        status: 'firing',
        labels,
        annotations: { summary: 'Pod is crash looping.' },
        startsAt: '2025-03-04T09:58:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        fingerprint: `fp-${deployment}`,
      },
    ],
  });
}

/**
 * No duplicate PR, no half-made PR, no lost incident: exactly one open PR per expected branch,
 * labelled, with salve's hash in its body and a policy check on its head; no salve branch without
 * an open PR.
 */
export function expectWhole(fake: FakeGitHub, branches: string[]): void {
  for (const branch of branches) {
    const prs = fake.pulls.filter((p) => p.head === branch);
    expect(
      prs.map((p) => p.state),
      `PRs for ${branch}`,
    ).toEqual(['open']);
    const pr = prs[0] as (typeof prs)[number];
    expect(pr.labels).toContain('salve');
    expect(pr.body).toMatch(/<!-- salve:hash [0-9a-f]{64} files=[0-9a-f]{64} -->/);
    expect(fake.refs.get(branch)).toBe(pr.headSha);
    expect(fake.checkRuns.some((c) => c.headSha === pr.headSha)).toBe(true);
  }
  for (const ref of fake.refs.keys()) {
    if (!ref.startsWith('salve/')) continue;
    expect(
      fake.pulls.some((p) => p.head === ref && p.state === 'open'),
      `branch ${ref} has an open PR`,
    ).toBe(true);
  }
}
