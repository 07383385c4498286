/**
 * The server's planner keeps what it read of a commit across incidents and across the fresh clone
 * each job gets: a plan on a kept commit is the plan a planner with nothing kept makes, and a new
 * commit is read afresh.
 */
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertmanagerPayload } from '../app/alertmanager.ts';
import { createDemoWorld, DEMO_NOW, type DemoWorld, EXAMPLE_SIGNALS } from '../demo/setup.ts';
import type { PlanResult } from '../model/remediation.ts';
import { silentLogger } from '../telemetry/logger.ts';
import { createPlanner } from './planner.ts';

const run = promisify(execFile);
const repo = { owner: 'example-org', repo: 'platform-config' };

/** What a plan decided and would publish, without what names the clone it ran in. */
function essence(results: PlanResult[]) {
  return results.map((r) =>
    r.kind === 'none' || r.kind === 'drift'
      ? r
      : {
          kind: r.kind,
          id: r.remediation.id,
          files: r.remediation.files,
          diff: r.remediation.diff,
          decision: r.remediation.decision,
          proofDigest: r.remediation.proofDigest,
          request: r.kind === 'publish' ? r.request : null,
        },
  );
}

describe('pipeline/planner', () => {
  let world: DemoWorld;
  let payload: AlertmanagerPayload;
  let clones = 0;
  const clone = async () => {
    const dir = join(world.root, `clone-${++clones}`);
    await run('git', ['clone', '-q', world.work, dir]);
    return dir;
  };

  beforeAll(async () => {
    world = await createDemoWorld({ remote: false });
    payload = JSON.parse(await readFile(join(EXAMPLE_SIGNALS, 'oomkilled-checkout-production.json'), 'utf8'));
  });
  afterAll(() => world?.close());

  it('plans a kept commit through a fresh clone as a planner with nothing kept does, and a new commit afresh', async () => {
    const planner = createPlanner({ signingKey: world.signingKey, log: silentLogger() });
    try {
      const plan = async (p: typeof planner, dir: string) =>
        essence(await p.plan(payload, { repo, checkoutDir: dir, now: DEMO_NOW }));
      const firstClone = await clone();
      const first = await plan(planner, firstClone);
      expect(first[0]).toMatchObject({ id: expect.stringContaining('raise-memory-limit') });
      // The first clone is gone, as after a job; the next job's is another directory with the same commit.
      await rm(firstClone, { recursive: true, force: true });
      const kept = await plan(planner, await clone());
      const fresh = createPlanner({ signingKey: world.signingKey, log: silentLogger() });
      const cold = await plan(fresh, await clone());
      await fresh.close();
      expect(kept).toEqual(first);
      expect(kept).toEqual(cold);

      // A commit raising the limit by hand: the kept planner reads it, and raises from there.
      const base = join(world.work, 'apps/checkout/base/deployment.yaml');
      await writeFile(base, (await readFile(base, 'utf8')).replace('memory: 256Mi #', 'memory: 320Mi #'));
      const git = ['-C', world.work, '-c', 'user.name=t', '-c', 'user.email=t@e', '-c', 'commit.gpgsign=false'];
      await run('git', [...git, 'commit', '-q', '-am', 'checkout: 320Mi by hand']);
      const moved = await plan(planner, await clone());
      const memoryBefore = (r: (typeof moved)[number]) =>
        'files' in r ? r.diff.fields.find((f) => f.path.includes('memory'))?.before : undefined;
      expect(memoryBefore(first[0] as (typeof moved)[number])).toBe('256Mi');
      expect(memoryBefore(moved[0] as (typeof moved)[number])).toBe('320Mi');
    } finally {
      await planner.close();
    }
  });
});
