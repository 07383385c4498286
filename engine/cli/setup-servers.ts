/**
 * `salve setup --servers [name...]`: the etcd and kube-apiserver `salve demo` runs its loop on (and
 * Prometheus, promtool and Alertmanager, which the tests also run), at the pinned versions: says
 * which are in the tools cache, builds the missing ones with Go, and otherwise says where to get them.
 */
import { InputError } from '../model/errors.ts';
import { toolsDir } from '../tools/index.ts';
import { buildServer } from '../tools/server-build.ts';
import { isExecutable, type ServerName, type ServerSpec, serverPath, serverSpecs } from '../tools/servers.ts';
import type { Env } from './commands.ts';

/** What the demo's loop needs; `all` adds what the tests run too. */
export const DEMO_SERVERS: readonly ServerName[] = ['etcd', 'kube-apiserver'];

interface Found {
  name: ServerName;
  version: string;
  path: string;
  present: boolean;
  installed: boolean;
}

/** The specs the positional names select: none means the demo's pair, `all` every server. */
export function selectServers(names: readonly string[], specs: ServerSpec[] = serverSpecs()): ServerSpec[] {
  if (names.length === 0) return specs.filter((s) => DEMO_SERVERS.includes(s.name));
  if (names.includes('all')) return specs;
  const known = specs.map((s) => s.name as string);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new InputError(`unknown server ${unknown.join(', ')} (known: ${known.join(', ')}, or all)`, {
      code: 'bad-usage',
    });
  }
  return specs.filter((s) => names.includes(s.name));
}

export async function setupServers(
  names: readonly string[],
  opts: { check: boolean; json: boolean; go: boolean },
  env: Env,
): Promise<number> {
  const tools = toolsDir(env);
  const results: Found[] = [];
  for (const spec of selectServers(names)) {
    const path = serverPath(spec, tools);
    let present = isExecutable(path);
    let installed = false;
    if (!present && !opts.check && opts.go) {
      process.stderr.write(`setup: building ${spec.name} ${spec.version} into ${tools} with Go (once, minutes)\n`);
      await buildServer(spec, tools, env);
      present = installed = isExecutable(path);
    }
    results.push({ name: spec.name, version: spec.version, path, present, installed });
  }
  const missing = results.filter((r) => !r.present);
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ ok: missing.length === 0, servers: results, toolsDir: tools }, null, 2)}\n`,
    );
    return missing.length === 0 ? 0 : 2;
  }
  const out = (line = '') => process.stdout.write(`${line}\n`);
  for (const r of results) {
    const where = r.present ? `at ${r.path}${r.installed ? ' (built now)' : ''}` : `missing (expected at ${r.path})`;
    out(`${r.name.padEnd(15)} ${r.version} ${where}`);
  }
  if (missing.length === 0) return 0;
  out();
  out(
    opts.check || opts.go
      ? 'To build them: salve setup --servers (needs Go, https://go.dev/dl/), or'
      : 'Go is not on PATH: install it (https://go.dev/dl/) and run salve setup --servers again, or',
  );
  out('put the release binary of the same version at the path shown above:');
  const specs = serverSpecs();
  for (const r of missing) out(`  ${r.name.padEnd(15)} ${specs.find((s) => s.name === r.name)?.release ?? ''}`);
  return 2;
}
