/**
 * The test servers themselves: each starts on 127.0.0.1, does its job (Prometheus answers queries
 * over backfilled history, Alertmanager delivers its real webhook, Redis answers PING), and
 * leaves nothing running, also when the process that started it is killed outright.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ping, postAlerts, startAlertmanager, startPrometheus, startRedis } from './index.ts';

/** Pids of the live processes in a process group (from /proc). */
function groupMembers(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] is the state, fields[2] the process group; zombies are already gone.
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') pids.push(Number(entry));
    } catch {
      // exited while reading
    }
  }
  return pids;
}

async function until(check: () => boolean, attempts = 200): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('test/servers', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('Prometheus answers a query over history backfilled with promtool', async () => {
    const end = Math.floor(Date.now() / 1000) - 60;
    const lines = ['# TYPE salve_test_requests counter'];
    for (let i = 10; i >= 0; i--) lines.push(`salve_test_requests{job="api"} ${100 * (10 - i)} ${end - i * 60}`);
    const prom = await startPrometheus({ openMetrics: `${lines.join('\n')}\n# EOF\n` });
    cleanups.push(prom.stop);
    const url = new URL('/api/v1/query', prom.url);
    url.searchParams.set('query', 'salve_test_requests{job="api"}');
    url.searchParams.set('time', String(end));
    const body = (await (await fetch(url)).json()) as {
      status: string;
      data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    expect(body.status).toBe('success');
    expect(body.data.result).toHaveLength(1);
    expect(body.data.result[0]?.value[1]).toBe('1000');
    await prom.stop();
    expect(prom.proc.hasExited()).toBe(true);
    expect(groupMembers(prom.proc.pid)).toEqual([]);
  });

  it('Alertmanager delivers a posted alert to its webhook as a v4 payload, with the bearer token', async () => {
    const received: Array<{ auth: string | undefined; body: Record<string, unknown> }> = [];
    let delivered: () => void = () => {};
    const arrived = new Promise<void>((r) => {
      delivered = r;
    });
    const hook = createServer((req: IncomingMessage, res) => {
      let text = '';
      req.on('data', (c) => {
        text += c;
      });
      req.on('end', () => {
        received.push({ auth: req.headers.authorization, body: JSON.parse(text) });
        res.end('ok');
        delivered();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => hook.close(() => r())));
    const port = (hook.address() as AddressInfo).port;
    const am = await startAlertmanager({
      webhook: { url: `http://127.0.0.1:${port}/intake/alertmanager`, bearerToken: 'test-token-0123456789' },
    });
    cleanups.push(am.stop);
    await postAlerts(am.url, [
      {
        labels: {
          alertname: 'KubePodCrashLooping',
          namespace: 'shop',
          pod: 'cart-7d9c6b5f4-x2x9z',
          severity: 'warning',
        },
        annotations: { description: 'cart is crash looping' },
      },
    ]);
    await arrived;
    const [first] = received;
    expect(first?.auth).toBe('Bearer test-token-0123456789');
    expect(first?.body.version).toBe('4');
    const alerts = first?.body.alerts as Array<{ status: string; labels: Record<string, string> }>;
    expect(alerts[0]?.status).toBe('firing');
    expect(alerts[0]?.labels.pod).toBe('cart-7d9c6b5f4-x2x9z');
  });

  it('Redis answers PING and is gone after stop', async () => {
    const redis = await startRedis();
    expect(await ping(redis.port)).toBe('+PONG');
    await redis.stop();
    await expect(ping(redis.port)).rejects.toThrow();
    expect(groupMembers(redis.proc.pid)).toEqual([]);
  });

  it('a server outlives no test process: SIGKILL of its owner stops it', async () => {
    const script = fileURLToPath(new URL('./__fixtures__/start-redis-and-wait.ts', import.meta.url));
    const owner = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pgid = await new Promise<number>((resolve, reject) => {
      let out = '';
      owner.stdout.on('data', (d) => {
        out += d;
        const m = /^pgid (\d+)$/m.exec(out);
        if (m) resolve(Number(m[1]));
      });
      owner.once('exit', (code) => reject(new Error(`owner exited early (${code})`)));
    });
    expect(groupMembers(pgid).length).toBeGreaterThan(0);
    owner.kill('SIGKILL');
    expect(await until(() => groupMembers(pgid).length === 0)).toBe(true);
  });
});
