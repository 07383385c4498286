/**
 * The App's path on a hostile config repo: cloned over real smart HTTP with isomorphic-git, then
 * planned. A template committed as a symbolic link to a host file must never reach a PR body.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitCheckout } from '../../engine/app/checkout.ts';
import { DEMO_NOW, EXAMPLE_SIGNALS } from '../../engine/demo/setup.ts';
import { createPlanner } from '../../engine/pipeline/planner.ts';
import { createBareRemote, type GitServer, repoPath, startGitServer } from '../../engine/publish/git-server.ts';
import { silentLogger } from '../../engine/telemetry/logger.ts';
import { type HostileWorld, hostileWorld } from '../security/world.ts';
import { OWNER, REPO } from './github-replies.ts';

describe('app: a hostile config repo through the checkout', () => {
  let w: HostileWorld;
  let server: GitServer;
  let secret: string;
  let secretFile: string;

  beforeAll(async () => {
    w = await hostileWorld();
    secret = `SALVE-HOST-SECRET-${randomBytes(12).toString('hex')}`;
    secretFile = join(w.world.root, 'host', 'app.key');
    await mkdir(join(w.world.root, 'host'));
    await writeFile(secretFile, `${secret}\n`);
    await w.commit('custom PR templates', {}, { '.salve/templates/pr-body.hbs': secretFile });
    const remotes = join(w.world.root, 'remotes');
    server = await startGitServer(remotes);
    const bare = join(remotes, OWNER, `${REPO}.git`);
    await mkdir(join(remotes, OWNER), { recursive: true });
    await createBareRemote(w.repo, bare, server.url(repoPath(remotes, bare)), { seed: true });
  });
  afterAll(async () => {
    await server?.close();
    await w?.close();
  });

  it('refuses the symbolic link, naming it, and never puts it on disk', async () => {
    const co = await gitCheckout({ urlTemplate: server.url('{owner}/{repo}.git'), tmpRoot: w.tmp }).prepare(
      { owner: OWNER, repo: REPO },
      'ghs_tokenForTheGitServer000000000000',
    );
    try {
      await expect(lstat(join(co.dir, '.salve/templates/pr-body.hbs'))).rejects.toMatchObject({ code: 'ENOENT' });
      const payload = JSON.parse(await readFile(join(EXAMPLE_SIGNALS, 'hpa-maxed-checkout-staging.json'), 'utf8'));
      const planner = createPlanner({ signingKey: w.world.signingKey, log: silentLogger() });
      const err = await planner
        .plan(payload, { repo: { owner: OWNER, repo: REPO }, checkoutDir: co.dir, now: DEMO_NOW })
        .then(
          (results) => results,
          (e: unknown) => e,
        );
      expect(err).toMatchObject({ name: 'ConfigError', exitCode: 2 });
      expect((err as Error).message).toContain('.salve/templates/pr-body.hbs');
      expect((err as Error).message).toMatch(/symbolic link/);
      expect(JSON.stringify(err)).not.toContain(secret);
      expect((err as Error).message).not.toContain(secret);
    } finally {
      await co.cleanup();
    }
  });
});
