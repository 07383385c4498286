/**
 * Where the external CLIs are. Order: SALVE_OPA / SALVE_KUSTOMIZE / SALVE_GIT, then PATH, then the
 * cache scripts/setup fills, and for kustomize `kubectl kustomize` last.
 */
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { type Tool, ToolError } from './tool.ts';

export const OPA_VERSION = 'v1.22.0';
export const KUSTOMIZE_VERSION = 'v5.8.1';

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

/**
 * Renders of base commits kept by `salve plan` across runs, keyed by what each build read and the
 * kustomize that ran it (repo/render-store.ts).
 */
export function rendersDir(env: Env = process.env): string {
  return env.SALVE_RENDERS_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'salve', 'renders');
}

/** What `salve plan` learnt of a commit's Applications and overlays (repo/commit-index.ts). */
export function indexDir(env: Env = process.env): string {
  return env.SALVE_INDEX_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'salve', 'index');
}

export function locateOpa(env: Env = process.env): Tool {
  const cached = join(toolsDir(env), `opa-${OPA_VERSION}`, 'opa');
  const command = env.SALVE_OPA ?? onPath('opa', env) ?? (isExecutable(cached) ? cached : null);
  if (!command) {
    throw new ToolError('opa not found: run `salve setup`, put opa on PATH, or set SALVE_OPA', '', {
      code: 'tool-missing',
    });
  }
  return { name: 'opa', command, prefix: [] };
}

export function locateKustomize(env: Env = process.env): Tool {
  const cached = join(toolsDir(env), `kustomize-${KUSTOMIZE_VERSION}`, 'kustomize');
  const direct = env.SALVE_KUSTOMIZE ?? onPath('kustomize', env) ?? (isExecutable(cached) ? cached : null);
  if (direct) return { name: 'kustomize', command: direct, prefix: [] };
  const kubectl = onPath('kubectl', env);
  if (kubectl) return { name: 'kustomize', command: kubectl, prefix: ['kustomize'] };
  throw new ToolError(
    'kustomize not found: run `salve setup`, put kustomize or kubectl on PATH, or set SALVE_KUSTOMIZE',
    '',
    { code: 'tool-missing' },
  );
}

/** The git CLI, which reads the config repo's objects (one commit, never the working tree). */
export function locateGit(env: Env = process.env): Tool {
  const command = env.SALVE_GIT ?? onPath('git', env);
  if (!command) throw new ToolError('git not found: set SALVE_GIT or put git on PATH', '', { code: 'tool-missing' });
  return { name: 'git', command, prefix: [] };
}
