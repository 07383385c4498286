/** A throwaway redis-server on 127.0.0.1: no persistence, its own temp dir. */
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from '../../engine/demo/servers/ports.ts';
import { type ServerProcess, startProcess } from '../../engine/demo/servers/processes.ts';
import { waitFor } from '../../engine/demo/servers/wait.ts';

export interface RedisServer {
  url: string;
  port: number;
  proc: ServerProcess;
  stop(): Promise<void>;
}

function redisBinary(): string {
  if (process.env.SALVE_REDIS_SERVER) return process.env.SALVE_REDIS_SERVER;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const bin = join(dir, 'redis-server');
    try {
      accessSync(bin, constants.X_OK);
      return bin;
    } catch {
      // not here
    }
  }
  throw new Error('redis-server is not installed: run scripts/setup-servers (or set SALVE_REDIS_SERVER)');
}

/** Sends PING over a raw connection; resolves with the reply line. */
export function ping(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let reply = '';
    sock.setTimeout(2000, () => sock.destroy(new Error('PING timed out')));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      reply += d.toString('utf8');
      if (reply.includes('\r\n')) {
        sock.end();
        resolve(reply.trim());
      }
    });
    sock.on('error', reject);
  });
}

export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'salve-redis-'));
  let proc: ServerProcess | undefined;
  const stop = async () => {
    await proc?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    proc = startProcess(
      'redis-server',
      redisBinary(),
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--daemonize',
        'no',
      ],
      join(dir, 'redis.log'),
    );
    await waitFor(async () => ((await ping(port)) === '+PONG' ? true : undefined), { what: 'redis PING', proc });
    return { url: `redis://127.0.0.1:${port}`, port, proc, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
