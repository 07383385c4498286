/**
 * A real Alertmanager on 127.0.0.1 whose one receiver is a webhook (salve serve's intake), with
 * short grouping waits so a posted alert is delivered within a second or two.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../../engine/demo/servers/ports.ts';
import { type ServerProcess, startProcess } from '../../engine/demo/servers/processes.ts';
import { httpOk, waitFor } from '../../engine/demo/servers/wait.ts';
import { serverBinary } from './kube.ts';

export interface AlertmanagerOptions {
  /** The receiver. Without it, alerts are kept and can be read back from the API only. */
  webhook?: { url: string; bearerToken?: string; sendResolved?: boolean };
  groupBy?: string[];
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
}

export interface AlertmanagerServer {
  url: string;
  dir: string;
  proc: ServerProcess;
  stop(): Promise<void>;
}

/** An alert as the v2 API takes it (what Prometheus sends). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

export async function postAlerts(url: string, alerts: PostableAlert[]): Promise<void> {
  const res = await fetch(`${url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
  });
  if (!res.ok) throw new Error(`alertmanager: POST /api/v2/alerts: HTTP ${res.status} ${await res.text()}`);
}

export async function startAlertmanager(options: AlertmanagerOptions = {}): Promise<AlertmanagerServer> {
  const dir = mkdtempSync(join(tmpdir(), 'salve-alertmanager-'));
  mkdirSync(join(dir, 'data'));
  let proc: ServerProcess | undefined;
  const stop = async () => {
    await proc?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const hook = options.webhook;
    const receiver: Record<string, unknown> = { name: 'salve' };
    if (hook) {
      receiver.webhook_configs = [
        {
          url: hook.url,
          send_resolved: hook.sendResolved ?? true,
          ...(hook.bearerToken
            ? { http_config: { authorization: { type: 'Bearer', credentials: hook.bearerToken } } }
            : {}),
        },
      ];
    }
    const config = {
      route: {
        receiver: 'salve',
        group_by: options.groupBy ?? ['alertname', 'namespace'],
        group_wait: options.groupWait ?? '1s',
        group_interval: options.groupInterval ?? '1s',
        repeat_interval: options.repeatInterval ?? '1h',
      },
      receivers: [receiver],
    };
    writeFileSync(join(dir, 'alertmanager.yml'), stringify(config), { mode: 0o600 });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    proc = startProcess(
      'alertmanager',
      serverBinary('alertmanager'),
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // One instance, no gossip: nothing listens beyond the web port.
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      join(dir, 'alertmanager.log'),
    );
    await waitFor(async () => ((await httpOk(`${url}/-/ready`)) !== undefined ? true : undefined), {
      what: 'alertmanager /-/ready',
      proc,
    });
    return { url, dir, proc, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
