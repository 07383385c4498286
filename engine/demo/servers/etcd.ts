/** A single-member etcd on 127.0.0.1 for the local kube-apiserver (salve demo and the tests). */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { serverBinary } from '../../tools/servers.ts';
import { freePorts } from './ports.ts';
import { type ServerProcess, startProcess } from './processes.ts';
import { httpOk, waitFor } from './wait.ts';

export interface Etcd {
  url: string;
  proc: ServerProcess;
  /** The current revision of the keyspace. */
  revision(): Promise<number>;
  /** Compacts the keyspace up to the current revision (what etcd's auto-compaction does), returning it. */
  compact(): Promise<number>;
}

async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`etcd ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/** Starts etcd from the tools cache `tools`, its data and log under `dir`. */
export async function startEtcd(dir: string, tools: string): Promise<Etcd> {
  const [client, peer] = await freePorts(2);
  const url = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const dataDir = join(dir, 'etcd');
  mkdirSync(dataDir, { recursive: true });
  const proc = startProcess(
    'etcd',
    serverBinary('etcd', tools),
    [
      '--name=salve-local',
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=salve-local=${peerUrl}`,
      '--log-level=warn',
      // Tests are short: no fsync waits worth keeping data for.
      '--unsafe-no-fsync',
    ],
    join(dir, 'etcd.log'),
  );
  await waitFor(async () => ((await httpOk(`${url}/health`))?.includes('"true"') ? true : undefined), {
    what: 'etcd',
    proc,
  });
  const revision = async () => {
    const status = await post(`${url}/v3/maintenance/status`, {});
    return Number((status.header as { revision?: string } | undefined)?.revision ?? 0);
  };
  return {
    url,
    proc,
    revision,
    compact: async () => {
      const rev = await revision();
      await post(`${url}/v3/kv/compaction`, { revision: String(rev), physical: true });
      return rev;
    },
  };
}
