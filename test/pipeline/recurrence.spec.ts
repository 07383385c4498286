/**
 * An incident that comes back after its remediation merged: the same branch name, the patch file
 * and the remediation record updated in place on the new base, and the result still verifies.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoWorld, DEMO_NOW, type DemoWorld, EXAMPLE_SIGNALS } from '../../engine/demo/setup.ts';
import { policyDirs, runPlan } from '../../engine/pipeline/run.ts';
import { buildBundle, publicKeyInfo } from '../../engine/policy/index.ts';
import { loadConfig } from '../../engine/repo/index.ts';
import { silentLogger } from '../../engine/telemetry/logger.ts';
import { verifyRef } from '../../engine/verify/index.ts';

let world: DemoWorld;

beforeAll(async () => {
  world = await createDemoWorld({ remote: false });
});

afterAll(async () => {
  await world?.close();
});

async function planHpa(now: Date) {
  const [o] = await runPlan({
    repoDir: world.work,
    signalFiles: [join(EXAMPLE_SIGNALS, 'hpa-maxed-checkout-staging.json')],
    signingKey: world.signingKey,
    pgp: world.pgp,
    now,
    log: silentLogger(),
  });
  if (o?.result.kind !== 'publish') throw new Error(`expected publish, got ${o?.result.kind}`);
  return o as typeof o & { result: { kind: 'publish' } };
}

describe('pipeline: an incident that recurs after its remediation merged', () => {
  it('raises again from the merged value, editing the value in place and updating the record', async () => {
    const first = await planHpa(DEMO_NOW);
    expect(first.result.remediation.action.params).toEqual({ from: 3, to: 5 });
    // The reviewer merges: main fast-forwards to the remediation commit.
    execFileSync('git', ['-C', world.work, 'reset', '-q', '--hard', first.commit as string]);

    const later = new Date(DEMO_NOW.getTime() + 3 * 3600_000);
    const second = await planHpa(later);
    const rem = second.result.remediation;
    expect(rem.id).toBe(first.result.remediation.id);
    expect(second.branch).toBe(first.branch);
    expect(rem.baseCommit).toBe(first.commit);
    expect(rem.action.params).toEqual({ from: 5, to: 8 });
    const byPath = new Map(second.result.request.files.map((f) => [f.path, f]));
    // Staging's own inline patch sets maxReplicas: both raises edit its value where it is.
    const kustomization = byPath.get('apps/checkout/overlays/staging/kustomization.yaml');
    expect(kustomization?.before).toContain('        value: 5\n');
    expect(kustomization?.after).toBe(kustomization?.before?.replace('        value: 5\n', '        value: 8\n'));
    expect([...byPath.keys()].filter((p) => p.includes('/salve/'))).toEqual([]);
    expect(byPath.get(`.salve/remediations/${rem.id}/proof.dsse.json`)?.before).toBeTruthy();
    expect(second.commit).not.toBe(first.commit);

    const { config } = await loadConfig(world.work);
    const bundle = await buildBundle(policyDirs(world.work, config));
    const verdicts = await verifyRef({
      repoDir: world.work,
      ref: second.branch as string,
      bundle,
      trustedKeys: [publicKeyInfo(world.publicKey, 'demo')],
    });
    expect(verdicts).toEqual([expect.objectContaining({ id: rem.id, ok: true, errors: [] })]);
  });
});
