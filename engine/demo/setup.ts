/** The demo's world: the example config repo as a git repo with history, a bare remote served over smart HTTP, throw-away keys. */

import type { KeyObject } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../pipeline/assets.ts';
import { generateEphemeralKey, publicKeyPem, type SigningKey } from '../policy/index.ts';
import { createBareRemote, type GitServer, repoPath, startGitServer } from '../publish/git-server.ts';
import { generateSigningIdentity } from '../publish/pgp.ts';
import { replayHistory } from './history.ts';

export const EXAMPLE_REPO = join(PROJECT_ROOT, 'examples', 'config-repo');
export const EXAMPLE_SIGNALS = join(PROJECT_ROOT, 'examples', 'signals');
/** The sample signals were captured around this time; the demo runs at it so decisions do not depend on when you run it. */
export const DEMO_NOW = new Date('2025-06-12T10:00:00Z');

export interface DemoWorld {
  root: string;
  work: string;
  bare: string;
  head: string;
  server: GitServer | null;
  signingKey: SigningKey;
  publicKey: KeyObject;
  pgp: { armoredPrivateKey: string; armoredPublicKey: string };
  /** Stops the git server and removes everything. */
  close(): Promise<void>;
  /** Stops the git server and keeps the files for a look. */
  stop(): Promise<void>;
}

export async function createDemoWorld(
  opts: { now?: Date; remote?: boolean; exampleDir?: string } = {},
): Promise<DemoWorld> {
  const now = opts.now ?? DEMO_NOW;
  const root = await mkdtemp(join(tmpdir(), 'salve-demo-'));
  const work = join(root, 'platform-config');
  const remotes = join(root, 'remotes');
  const bare = join(remotes, 'platform-config.git');
  let server: GitServer | null = null;
  try {
    const signingKey = generateEphemeralKey();
    const pgp = await generateSigningIdentity({ name: 'salve demo', email: 'salve-demo@example.org' });
    const head = await replayHistory(opts.exampleDir ?? EXAMPLE_REPO, work, now, {
      '.salve/keys/demo.pub': publicKeyPem(signingKey),
    });
    if (opts.remote !== false) {
      await mkdir(remotes, { recursive: true });
      server = await startGitServer(remotes);
      await createBareRemote(work, bare, server.url(repoPath(remotes, bare)), { seed: true });
    }
    const live = server;
    return {
      root,
      work,
      bare,
      head,
      server,
      signingKey,
      publicKey: signingKey.publicKey,
      pgp,
      async close() {
        await live?.close();
        await rm(root, { recursive: true, force: true });
      },
      async stop() {
        await live?.close();
      },
    };
  } catch (err) {
    await server?.close();
    await rm(root, { recursive: true, force: true });
    throw err;
  }
}
