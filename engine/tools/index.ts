/**
 * Locates and runs the external CLIs salve relies on: `opa` and `kustomize`.
 * Order: SALVE_OPA / SALVE_KUSTOMIZE, then PATH, then the cache scripts/setup fills,
 * and for kustomize `kubectl kustomize` last.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { SalveError } from '../model/errors.ts';

export const OPA_VERSION = 'v1.22.0';
export const KUSTOMIZE_VERSION = 'v5.8.1';

export interface Tool {
  readonly name: string;
  readonly command: string;
  /** Arguments placed before the caller's (`['kustomize']` for `kubectl kustomize`). */
  readonly prefix: readonly string[];
}

export class ToolError extends SalveError {
  readonly stderr: string;
  constructor(message: string, stderr = '', options: { cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'tool-failed', message, options);
    this.stderr = stderr;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, env: Env): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}

export function toolsDir(env: Env = process.env): string {
  return env.SALVE_TOOLS_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'salve', 'tools');
}

/**
 * Compiled policy bundles, by the digest of their sources: one directory for every clone and
 * process of the user (a server's clones, the CLI's runs), so a bundle is compiled once.
 */
export function bundlesDir(env: Env = process.env): string {
  return env.SALVE_BUNDLES_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'salve', 'bundles');
}

const cache = new Map<string, Tool>();

export function locateOpa(env: Env = process.env): Tool {
  const key = `opa:${env.SALVE_OPA ?? ''}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const cached = join(toolsDir(env), `opa-${OPA_VERSION}`, 'opa');
  const command = env.SALVE_OPA ?? onPath('opa', env) ?? (isExecutable(cached) ? cached : null);
  if (!command) {
    throw new ToolError('opa not found: set SALVE_OPA, put opa on PATH, or run `npm run setup`', '', {
      code: 'tool-missing',
    });
  }
  const tool = { name: 'opa', command, prefix: [] };
  cache.set(key, tool);
  return tool;
}

export function locateKustomize(env: Env = process.env): Tool {
  const key = `kustomize:${env.SALVE_KUSTOMIZE ?? ''}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const cached = join(toolsDir(env), `kustomize-${KUSTOMIZE_VERSION}`, 'kustomize');
  const direct = env.SALVE_KUSTOMIZE ?? onPath('kustomize', env) ?? (isExecutable(cached) ? cached : null);
  let tool: Tool | null = direct ? { name: 'kustomize', command: direct, prefix: [] } : null;
  if (!tool) {
    const kubectl = onPath('kubectl', env);
    if (kubectl) tool = { name: 'kustomize', command: kubectl, prefix: ['kustomize'] };
  }
  if (!tool) {
    throw new ToolError(
      'kustomize not found: set SALVE_KUSTOMIZE, put kustomize or kubectl on PATH, or run `npm run setup`',
      '',
      { code: 'tool-missing' },
    );
  }
  cache.set(key, tool);
  return tool;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a tool; a non-zero exit becomes a ToolError carrying stderr. */
export function runTool(
  tool: Tool,
  args: readonly string[],
  options: { cwd?: string; maxBuffer?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      tool.command,
      [...tool.prefix, ...args],
      { cwd: options.cwd, maxBuffer: options.maxBuffer ?? 256 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) {
          const what = `${tool.name} ${args[0] ?? ''}`.trim();
          reject(new ToolError(`${what} failed: ${stderr.trim() || err.message}`, stderr, { cause: err }));
          return;
        }
        resolve({ stdout, stderr });
      },
    );
  });
}
