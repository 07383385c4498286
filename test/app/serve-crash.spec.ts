/**
 * kill -9 between each publish step, with real processes: `bin/salve serve` (embedded store, the
 * real pipeline, a real clone of the example config repo over git http-backend) against GitHub
 * simulated over HTTP. GitHub does the step and its reply is held; the process is killed with
 * SIGKILL; a new process on the same state directory must finish the job: one whole PR, nothing
 * half-made, nothing lost.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDemoWorld, type DemoWorld, EXAMPLE_SIGNALS } from '../../engine/demo/setup.ts';
import { type FakeGitHub, startFakeGitHub } from './fake-github.ts';
import { postAlert, serveEnv, startServe, stopAll, whole } from './serve-process.ts';
import { removeStateDirs, stateDir } from './state-dir.ts';
import { appKey, expectWhole } from './world.ts';

let world: DemoWorld;
let privateKey: string;
let alert: string;
let fake: FakeGitHub | null = null;

beforeAll(async () => {
  world = await createDemoWorld();
  privateKey = appKey();
  alert = await readFile(join(EXAMPLE_SIGNALS, 'hpa-maxed-checkout-staging.json'), 'utf8');
});
afterAll(async () => {
  await world?.close();
});
afterEach(async () => {
  await stopAll();
  await fake?.close();
  fake = null;
  removeStateDirs();
});

const STEPS: Array<[string, RegExp]> = [
  ['tree', /\/git\/trees$/],
  ['commit', /\/git\/commits$/],
  ['ref', /\/git\/refs$/],
  ['check run', /\/check-runs$/],
  ['PR', /\/pulls$/],
  ['labels', /\/issues\/\d+\/labels$/],
];

describe('app: kill -9 between each publish step (real processes)', () => {
  it.each(STEPS)(
    'killed once GitHub made the %s: a restart finishes one whole PR',
    { timeout: 180_000 },
    async (_step, path) => {
      fake = await startFakeGitHub({ baseCommit: world.head });
      const dir = stateDir();
      const env = serveEnv(fake, world, privateKey, { SALVE_STATE_DIR: dir });
      const first = await startServe(env);
      fake.fault({ method: 'POST', path, hold: 'applied' });
      expect(await postAlert(first, alert)).toBe(202);
      await fake.held();
      expect(await first.kill('SIGKILL')).toBe('SIGKILL');

      const second = await startServe(env);
      await expect.poll(() => whole(fake as FakeGitHub), { timeout: 120_000, interval: 250 }).toBe(true);
      await expect
        .poll(async () => (await (await fetch(`${second.url}/metrics`)).text()).includes('salve_queue_depth 0'), {
          timeout: 60_000,
        })
        .toBe(true);
      expect(fake.pulls, second.log()).toHaveLength(1);
      expectWhole(fake, [fake.pulls[0]?.head as string]);
      expect(await second.kill('SIGTERM')).toBe(0);
    },
  );
});
