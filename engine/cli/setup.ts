/**
 * `salve setup`: where salve finds the `opa` and `kustomize` it runs (SALVE_OPA / SALVE_KUSTOMIZE,
 * PATH, the tools cache, `kubectl kustomize`) and which versions they are; installs the pinned ones
 * with `go install` into the tools cache when they are missing and Go is here, and otherwise says
 * where to get them.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { InputError } from '../model/errors.ts';
import {
  KUSTOMIZE_VERSION,
  locateKustomize,
  locateOpa,
  OPA_VERSION,
  type Tool,
  ToolError,
  toolsDir,
} from '../tools/index.ts';
import { parseCommand } from './args.ts';
import { type Env, SETUP_OPTIONS } from './commands.ts';
import { setupServers } from './setup-servers.ts';

interface ToolSpec {
  name: 'opa' | 'kustomize';
  pinned: string;
  module: string;
  release: string;
  locate(env: Env): Tool;
}

const TOOLS: ToolSpec[] = [
  {
    name: 'opa',
    pinned: OPA_VERSION,
    module: `github.com/open-policy-agent/opa@${OPA_VERSION}`,
    release: `https://github.com/open-policy-agent/opa/releases/tag/${OPA_VERSION}`,
    locate: locateOpa,
  },
  {
    name: 'kustomize',
    pinned: KUSTOMIZE_VERSION,
    module: `sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}`,
    release: `https://github.com/kubernetes-sigs/kustomize/releases/tag/kustomize%2F${KUSTOMIZE_VERSION}`,
    locate: locateKustomize,
  },
];

interface Found {
  name: string;
  pinned: string;
  command: string | null;
  version: string | null;
  installed: boolean;
}

function run(command: string, args: string[], env: Env, timeout = 30_000): Promise<string> {
  return new Promise((done, fail) =>
    execFile(
      command,
      args,
      { env: env as NodeJS.ProcessEnv, timeout, maxBuffer: 4 * 1024 * 1024 },
      (err, stdout, stderr) => (err ? fail(Object.assign(err, { stderr })) : done(`${stdout}${stderr}`)),
    ),
  );
}

async function versionOf(tool: Tool, env: Env): Promise<string | null> {
  // `kubectl kustomize` has no version verb: kubectl names the kustomize it embeds.
  const embedded = tool.prefix.length > 0;
  const out = await run(tool.command, embedded ? ['version', '--client'] : ['version'], env).catch(() => '');
  const match = embedded ? /Kustomize Version: (v?\d+\.\d+\.\d+)/.exec(out)?.[1] : /v?\d+\.\d+\.\d+/.exec(out)?.[0];
  return match ? match.replace(/^(?!v)/, 'v') : null;
}

function locate(spec: ToolSpec, env: Env): Tool | null {
  try {
    return spec.locate(env);
  } catch (err) {
    if (err instanceof ToolError && err.code === 'tool-missing') return null;
    throw err;
  }
}

async function install(spec: ToolSpec, env: Env): Promise<void> {
  const gobin = join(toolsDir(env), `${spec.name}-${spec.pinned}`);
  process.stderr.write(`setup: go install ${spec.module} into ${gobin} (a few minutes, once)\n`);
  await run('go', ['install', spec.module], { ...env, GOBIN: gobin, GOFLAGS: '-mod=mod' }, 30 * 60_000);
}

async function hasGo(env: Env): Promise<boolean> {
  return run('go', ['version'], env).then(
    () => true,
    () => false,
  );
}

export async function setupCommand(args: string[], env: Env): Promise<number> {
  const { values, positionals } = parseCommand('setup', args, SETUP_OPTIONS, 5);
  const go = values.check ? false : await hasGo(env);
  if (values.servers) return setupServers(positionals, { check: !!values.check, json: !!values.json, go }, env);
  if (positionals.length > 0) {
    throw new InputError(`unexpected argument ${JSON.stringify(positionals[0])}: server names go with --servers`, {
      code: 'bad-usage',
    });
  }
  const results: Found[] = [];
  for (const spec of TOOLS) {
    let tool = locate(spec, env);
    let installed = false;
    if (!tool && go) {
      await install(spec, env);
      tool = locate(spec, env);
      installed = tool !== null;
    }
    const command = tool ? [tool.command, ...tool.prefix].join(' ') : null;
    results.push({
      name: spec.name,
      pinned: spec.pinned,
      command,
      version: tool ? await versionOf(tool, env) : null,
      installed,
    });
  }
  const missing = results.filter((r) => !r.command);
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ ok: missing.length === 0, tools: results, toolsDir: toolsDir(env) }, null, 2)}\n`,
    );
    return missing.length === 0 ? 0 : 2;
  }
  const out = (line = '') => process.stdout.write(`${line}\n`);
  for (const r of results) {
    if (!r.command) out(`${r.name.padEnd(10)} missing (salve is tested with ${r.pinned})`);
    else {
      const other = r.version && r.version !== r.pinned ? `; salve is tested with ${r.pinned}` : '';
      out(
        `${r.name.padEnd(10)} ${r.version ?? 'version unknown'} at ${r.command}${r.installed ? ' (installed now)' : ''}${other}`,
      );
    }
  }
  if (missing.length === 0) return 0;
  out();
  out(
    values.check
      ? 'To install them: salve setup (needs Go, https://go.dev/dl/), or'
      : 'Go is not on PATH: install it (https://go.dev/dl/) and run salve setup again, or',
  );
  out('put the release binaries on PATH, or name them in SALVE_OPA / SALVE_KUSTOMIZE:');
  for (const spec of TOOLS.filter((t) => missing.some((m) => m.name === t.name)))
    out(`  ${spec.name.padEnd(10)} ${spec.release}`);
  return 2;
}
