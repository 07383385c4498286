/**
 * One open remediation per workload, on the example config repo with real git: a second incident
 * on the same Deployment supersedes the open remediation on the workload's branch, and
 * remediations merged one after another never conflict.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoWorld, DEMO_NOW, type DemoWorld, EXAMPLE_SIGNALS } from '../../engine/demo/setup.ts';
import type { K8sObject } from '../../engine/model/remediation.ts';
import { type Outcome, policyDirs, runPlan } from '../../engine/pipeline/run.ts';
import { buildBundle, publicKeyInfo } from '../../engine/policy/index.ts';
import { buildOverlay, loadConfig } from '../../engine/repo/index.ts';
import { silentLogger } from '../../engine/telemetry/logger.ts';
import { verifyRef } from '../../engine/verify/index.ts';

let world: DemoWorld;
const OVERLAY = 'apps/checkout/overlays/production';

async function plan(file: string, now = DEMO_NOW): Promise<Outcome & { result: { kind: 'publish' } }> {
  const [o] = await runPlan({
    repoDir: world.work,
    signalFiles: [join(EXAMPLE_SIGNALS, file)],
    signingKey: world.signingKey,
    pgp: world.pgp,
    now,
    log: silentLogger(),
  });
  if (o?.result.kind !== 'publish') throw new Error(`expected publish, got ${o?.result.kind}`);
  return o as Outcome & { result: { kind: 'publish' } };
}

function gitIn(...args: string[]): string {
  return execFileSync('git', ['-C', world.work, ...args], { encoding: 'utf8' }).trim();
}

/** Merges a branch the way a reviewer's merge button does (a merge commit), failing on any conflict. */
function merge(branch: string): void {
  gitIn(
    '-c',
    'user.name=Reviewer',
    '-c',
    'user.email=reviewer@example.org',
    'merge',
    '--no-ff',
    '-q',
    '-m',
    `Merge ${branch}`,
    branch,
  );
}

/** Verifies the remediation the branch carries (records merged earlier are checked against their own base). */
async function verify(branch: string, id: string) {
  const { config } = await loadConfig(world.work);
  const bundle = await buildBundle(policyDirs(world.work, config));
  const trustedKeys = [publicKeyInfo(world.publicKey, 'demo')];
  return verifyRef({ repoDir: world.work, ref: branch, bundle, trustedKeys, ids: [id] });
}

function checkout(objects: readonly K8sObject[]) {
  const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'checkout') as K8sObject & {
    spec: {
      template: {
        spec: { containers: Array<{ name: string; image: string; resources: { limits: Record<string, string> } }> };
      };
    };
  };
  return d.spec.template.spec.containers.find((c) => c.name === 'checkout');
}

beforeAll(async () => {
  world = await createDemoWorld({ remote: false });
});

afterAll(async () => {
  await world?.close();
});

describe('one open remediation per workload', () => {
  it('supersedes the open remediation on the workload branch, then merges two remediations one after another without conflict', async () => {
    const oom = await plan('oomkilled-checkout-production.json');
    const branch = oom.branch as string;
    expect(branch).toMatch(/^salve\/deployment-checkout-[0-9a-f]{10}$/);
    expect(oom.result.remediation.id).toMatch(/^[0-9a-f]{10}-raise-memory-limit$/);

    // A crash loop on the same Deployment: the same branch, now carrying the rollback alone.
    const rollback = await plan('crashloop-checkout-production.json');
    expect(rollback.branch).toBe(branch);
    expect(rollback.result.remediation.action.id).toBe('rollback-image');
    const supersedes = rollback.result.remediation.action.rationale.find((l) => l.startsWith('This supersedes'));
    expect(supersedes).toContain(`${branch} (${oom.result.remediation.id}:`);
    expect(rollback.result.request.pr.body).toContain(`This supersedes ${branch}`);
    expect(gitIn('rev-parse', `${branch}^`)).toBe(world.head);
    expect(gitIn('log', '--format=%s', `${world.head}..${branch}`).split('\n')).toHaveLength(1);
    expect((await verify(branch, rollback.result.remediation.id)).map((v) => v.ok)).toEqual([true]);

    merge(branch);
    const afterRollback = gitIn('rev-parse', 'HEAD');

    // The memory raise comes back after the merge: built on it, same branch, no supersede note.
    const again = await plan('oomkilled-checkout-production.json', new Date(DEMO_NOW.getTime() + 60_000));
    expect(again.branch).toBe(branch);
    expect(again.result.remediation.baseCommit).toBe(afterRollback);
    expect(again.result.remediation.action.rationale.some((l) => l.startsWith('This supersedes'))).toBe(false);
    expect((await verify(branch, again.result.remediation.id)).map((v) => v.ok)).toEqual([true]);
    merge(branch);

    expect(gitIn('status', '--porcelain')).toBe('');
    expect(gitIn('diff', '--name-only', '--diff-filter=U')).toBe('');
    const rendered = await buildOverlay(world.work, OVERLAY);
    const container = checkout(rendered.objects);
    expect(container?.image).toBe('ghcr.io/example-org/checkout:1.8.1');
    expect(container?.resources.limits.memory).toBe('384Mi');
    // Both records stay, one per action.
    expect(gitIn('ls-tree', '--name-only', 'HEAD', '.salve/remediations/').split('\n').sort()).toEqual(
      [
        `.salve/remediations/${oom.result.remediation.id}`,
        `.salve/remediations/${rollback.result.remediation.id}`,
      ].sort(),
    );
  });
});
