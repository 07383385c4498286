/**
 * A real redis-server (Debian's package) on 127.0.0.1 for the replica tests: a free port, its own
 * temp dir, append-only file synced on every write (as deploy/ runs it), restartable on the same
 * port and data so a test can take Redis away mid-run. Stopped and removed in teardown.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './serve-process.ts';

export interface RedisServer {
  url: string;
  port: number;
  /** Kills it (SIGKILL: no shutdown save; only the synced append-only file survives) and starts it again. */
  restart(): Promise<void>;
  /** Kills it and leaves it down until `start`. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.setTimeout(1000, () => {
      sock.destroy();
      resolve(false);
    });
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      sock.end();
      resolve(d.toString().startsWith('+PONG'));
    });
    sock.on('error', () => resolve(false));
  });
}

export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'salve-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes'];
  const launch = async () => {
    const c = spawn(process.env.SALVE_REDIS_SERVER ?? 'redis-server', [...args, '--appendfsync', 'always'], {
      stdio: 'ignore',
    });
    child = c;
    for (let i = 0; !(await ping(port)); i++) {
      if (c.exitCode !== null)
        throw new Error('redis-server exited while starting (is it installed? apt-get install redis-server)');
      if (i > 200) throw new Error('redis-server did not answer PING');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    start: launch,
    restart: async () => {
      await kill();
      await launch();
    },
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
