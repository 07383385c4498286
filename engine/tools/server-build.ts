/**
 * Builds one pinned server into the tools cache with Go, as scripts/setup-servers does: in a
 * scratch directory inside the cache, then moved into place, so an interrupted build never leaves
 * a half-written binary. A wrapper module is copied out of the package first (an installed
 * package may be read-only, and Go writes beside go.mod).
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SERVER_ASSETS, type ServerSpec, serverPath } from './servers.ts';
import { ToolError } from './tool.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** Builds take minutes (kube-apiserver ≈ 5, Prometheus ≈ 8 on two cores); an hour is a hang. */
const BUILD_TIMEOUT_MS = 60 * 60_000;

function go(args: string[], cwd: string, env: Env): Promise<void> {
  return new Promise((done, fail) =>
    execFile(
      'go',
      args,
      { cwd, env: env as NodeJS.ProcessEnv, timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (err, _stdout, stderr) =>
        err
          ? fail(
              new ToolError(`go ${args[0]} failed: ${stderr.trim().split('\n').slice(-5).join('\n')}`, stderr, {
                cause: err,
              }),
            )
          : done(),
    ),
  );
}

/** Builds `spec` into `tools` and returns the binary's path. */
export async function buildServer(spec: ServerSpec, tools: string, env: Env): Promise<string> {
  await mkdir(tools, { recursive: true });
  const scratch = await mkdtemp(join(tools, '.build-'));
  try {
    const out = join(scratch, 'out');
    await mkdir(out);
    if (spec.build.kind === 'wrapper') {
      const module = join(scratch, 'module');
      await cp(join(SERVER_ASSETS, spec.build.module), module, { recursive: true });
      const ldflags = spec.build.ldflags ? ['-ldflags', spec.build.ldflags] : [];
      await go(['build', '-trimpath', ...ldflags, '-o', join(out, spec.name), spec.build.pkg], module, env);
    } else {
      await go(['install', `${spec.build.pkg}@${spec.version}`], scratch, { ...env, GOBIN: out });
    }
    const target = serverPath(spec, tools);
    await mkdir(join(tools, spec.dir), { recursive: true });
    await rename(join(out, spec.name), target);
    return target;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
