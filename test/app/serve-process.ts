/**
 * `salve serve` as a real process (bin/salve serve), for tests that kill it: its own port, its
 * stderr kept for a failure message, stopped (SIGKILL) by `stopAll` if a test left it running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DemoWorld } from '../../engine/demo/setup.ts';
import { privateKeyPem } from '../../engine/policy/index.ts';
import { repoPath } from '../../engine/publish/git-server.ts';
import type { FakeGitHub } from './fake-github.ts';
import { OWNER, REPO } from './github-replies.ts';
import { expectWhole, INTAKE_TOKEN, WEBHOOK_SECRET } from './world.ts';

const SALVE = fileURLToPath(new URL('../../bin/salve', import.meta.url));
const running = new Set<ChildProcess>();

export interface ServeProcess {
  url: string;
  pid: number;
  log(): string;
  /** Sends the signal and resolves with how it exited (code or signal name). */
  kill(signal: NodeJS.Signals): Promise<number | string>;
  exited: Promise<number | string>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startServe(env: Record<string, string>): Promise<ServeProcess> {
  const port = await freePort();
  const child = spawn(SALVE, ['serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...env,
      SALVE_HOST: '127.0.0.1',
      SALVE_PORT: String(port),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | string>((r) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      r(code ?? signal ?? 'unknown');
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`salve serve exited while starting:\n${stderr}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 600) throw new Error(`salve serve did not answer /healthz:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid as number,
    log: () => stderr,
    exited,
    kill: (signal) => {
      child.kill(signal);
      return exited;
    },
  };
}

export async function stopAll(): Promise<void> {
  const left = [...running];
  for (const c of left) c.kill('SIGKILL');
  await Promise.all(
    left.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))),
  );
}

/** The environment of a `salve serve` on the demo world's git server and the simulated GitHub. */
export function serveEnv(
  f: FakeGitHub,
  w: DemoWorld,
  privateKey: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const remotes = join(w.root, 'remotes');
  const gitUrl = (w.server?.url(repoPath(remotes, w.bare)) ?? '').replace(/platform-config\.git$/, '{repo}.git');
  return {
    SALVE_APP_ID: '12345',
    SALVE_PRIVATE_KEY: privateKey,
    SALVE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    SALVE_ALERTMANAGER_TOKEN: INTAKE_TOKEN,
    SALVE_SIGNING_KEY: privateKeyPem(w.signingKey),
    SALVE_GITHUB_API_URL: f.url,
    SALVE_GIT_URL: gitUrl,
    SALVE_RETRY_BASE_MS: '200',
    SALVE_LOG_LEVEL: 'info',
    ...extra,
  };
}

export async function postAlert(p: ServeProcess, body: string): Promise<number> {
  const res = await fetch(`${p.url}/intake/alertmanager/${OWNER}/${REPO}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json' },
    body,
  });
  return res.status;
}

/** True once every PR is whole and every salve branch has its PR (expectWhole, as a boolean). */
export function whole(f: FakeGitHub): boolean {
  try {
    expectWhole(f, [...new Set(f.pulls.map((p) => p.head))]);
    return f.pulls.length > 0;
  } catch {
    return false;
  }
}
