/**
 * `plan` reads exactly the commit it builds on: uncommitted edits in the working tree (a base file,
 * an invalid `.salve.yaml`) change nothing in the proof, and a warning names the files it ignored.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NOW } from '../../engine/demo/setup.ts';
import { runPlan } from '../../engine/pipeline/run.ts';
import { alertPayload, runOptions, writeSignal } from '../pipeline/helpers.ts';
import { captureLogger } from './capture-logger.ts';
import { type HostileWorld, hostileWorld } from './world.ts';

let w: HostileWorld;
beforeAll(async () => {
  w = await hostileWorld();
});
afterAll(async () => {
  await w?.close();
});

describe('plan on a dirty working tree', () => {
  it('plans from HEAD, ignoring uncommitted edits, and warns naming them', async () => {
    const hpa = join(w.repo, 'apps/checkout/base/hpa.yaml');
    const committedHpa = await readFile(hpa, 'utf8');
    expect(committedHpa).toContain('maxReplicas: 6');
    await writeFile(hpa, committedHpa.replace('maxReplicas: 6', 'maxReplicas: 10'));
    await writeFile(join(w.repo, '.salve.yaml'), 'apiVersion: salve.dev/v1\nthis is: [not valid\n');
    await writeFile(join(w.repo, 'apps/checkout/base/untracked.yaml'), 'kind: ConfigMap\n');
    const signal = await writeSignal(
      alertPayload([
        {
          alertname: 'KubeHpaMaxedOut',
          cluster: 'production',
          namespace: 'checkout',
          extra: { horizontalpodautoscaler: 'checkout' },
        },
      ]),
    );
    const log = captureLogger();
    const [outcome] = await runPlan(await runOptions(w.repo, [signal], DEMO_NOW, { log }));
    if (!outcome || !('remediation' in outcome.result))
      throw new Error(`expected a remediation, got ${outcome?.result.kind}`);
    const rem = outcome.result.remediation;
    expect(rem.action.params).toMatchObject({ from: 6, to: 9 });
    expect(rem.diff.fields).toEqual([expect.objectContaining({ path: '/spec/maxReplicas', before: 6, after: 9 })]);
    expect(rem.baseCommit).toBe(w.world.head);

    const warning = log.records.find((r) => r.level === 'warn' && /uncommitted/.test(r.msg));
    expect(warning?.obj).toMatchObject({ commit: w.world.head });
    expect(warning?.obj.files).toEqual(
      expect.arrayContaining(['.salve.yaml', 'apps/checkout/base/hpa.yaml', 'apps/checkout/base/untracked.yaml']),
    );
    // The working tree is the user's: left exactly as it was.
    expect(await readFile(hpa, 'utf8')).toContain('maxReplicas: 10');
  });
});
