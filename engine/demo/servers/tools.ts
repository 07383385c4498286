/**
 * Where the servers built by scripts/setup-servers live, at the versions it pins
 * (scripts/servers/versions.env is the one place they are written).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../pipeline/assets.ts';

/** The checkout (or installed package) root: scripts/, schemas/ and test fixtures are found from it. */
export const REPO_ROOT = PROJECT_ROOT;

export type ServerName = 'kube-apiserver' | 'etcd' | 'prometheus' | 'promtool' | 'alertmanager';

function versions(): Record<string, string> {
  const text = readFileSync(join(REPO_ROOT, 'scripts/servers/versions.env'), 'utf8');
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(\S+)$/.exec(line.trim());
    if (m?.[1] && m[2]) out[m[1]] = m[2];
  }
  return out;
}

const DIRS: Record<ServerName, [string, string]> = {
  'kube-apiserver': ['kube-apiserver', 'KUBE_VERSION'],
  etcd: ['etcd', 'ETCD_VERSION'],
  prometheus: ['prometheus', 'PROMETHEUS_VERSION'],
  promtool: ['prometheus', 'PROMETHEUS_VERSION'],
  alertmanager: ['alertmanager', 'ALERTMANAGER_VERSION'],
};

export function toolsDir(): string {
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return process.env.SALVE_TOOLS_DIR ?? join(cache, 'salve', 'tools');
}

/** The built binary, or an error that says how to build it. */
export function serverBinary(name: ServerName): string {
  const [dir, key] = DIRS[name];
  const version = versions()[key];
  if (!version) throw new Error(`scripts/servers/versions.env names no ${key}`);
  const bin = join(toolsDir(), `${dir}-${version}`, name);
  if (!existsSync(bin)) throw new Error(`${name} ${version} is not built (${bin}): run scripts/setup-servers`);
  return bin;
}
