/**
 * A config repo to plan on, with the keys `salve plan` reads written to files, and a reset that
 * puts it back between runs (no salve branch, no recorded pull request) so every run does the
 * same work.
 */
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createDemoWorld, DEMO_NOW, type DemoWorld, EXAMPLE_SIGNALS } from '../engine/demo/setup.ts';
import { privateKeyPem } from '../engine/policy/index.ts';

const run = promisify(execFile);

export interface BenchWorld {
  world: DemoWorld;
  /** Environment for a `salve plan` process: the two keys, as files. */
  env: Record<string, string>;
  signal: string;
  overlay: string;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export const PLAN_SIGNAL = join(EXAMPLE_SIGNALS, 'oomkilled-checkout-production.json');
export const PLAN_OVERLAY = 'apps/checkout/overlays/production';
export { DEMO_NOW };

/** Deletes every `salve/*` branch and the recorded pull requests: the repo as before any plan. */
export async function resetRepo(dir: string): Promise<void> {
  const { stdout } = await run('git', ['-C', dir, 'for-each-ref', '--format=%(refname)', 'refs/heads/salve/']);
  for (const ref of stdout.split('\n').filter(Boolean)) await run('git', ['-C', dir, 'update-ref', '-d', ref]);
  await rm(join(dir, '.git', 'salve', 'pull-requests'), { recursive: true, force: true });
  await rm(join(dir, '.git', 'salve', 'observations'), { recursive: true, force: true });
}

/** Business hours that cover the clock (to 23:59), as `.salve.yaml` writes them. */
export const ALWAYS_OPEN = '    businessHours: {days: [0, 1, 2, 3, 4, 5, 6], start: "00:00", end: "23:59"}\n';

/**
 * The example repo open around the clock: a production fix is then planned the same at any hour,
 * down to the signed commit (out of hours it would only be recorded).
 */
async function openAroundTheClock(dir: string): Promise<void> {
  const file = join(dir, '.salve.yaml');
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.replace(/^ {4}businessHours:\n( {6}.*\n)+/m, ALWAYS_OPEN));
  const id = ['-c', 'user.name=bench', '-c', 'user.email=bench@example.org', '-c', 'commit.gpgsign=false'];
  await run('git', ['-C', dir, ...id, 'commit', '-q', '-am', 'bench: open around the clock']);
}

export async function createBenchWorld(): Promise<BenchWorld> {
  const world = await createDemoWorld({ remote: false });
  await openAroundTheClock(world.work);
  const signingKeyFile = join(world.root, 'proof.key');
  const pgpKeyFile = join(world.root, 'commit.asc');
  await writeFile(signingKeyFile, privateKeyPem(world.signingKey), { mode: 0o600 });
  await writeFile(pgpKeyFile, world.pgp.armoredPrivateKey, { mode: 0o600 });
  return {
    world,
    // Renders and commit indexes kept across plans start empty with the world: the first plan fills them.
    env: {
      SALVE_SIGNING_KEY_FILE: signingKeyFile,
      SALVE_GPG_PRIVATE_KEY_FILE: pgpKeyFile,
      SALVE_RENDERS_DIR: join(world.root, 'cache', 'renders'),
      SALVE_INDEX_DIR: join(world.root, 'cache', 'index'),
    },
    signal: PLAN_SIGNAL,
    overlay: PLAN_OVERLAY,
    reset: () => resetRepo(world.work),
    close: () => world.close(),
  };
}
