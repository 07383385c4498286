import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { laughs } from '../../test/security/world.ts';
import { locateKustomize } from './locate.ts';
import { runTool } from './run.ts';
import { type Tool, ToolError } from './tool.ts';

const sh = (script: string): Tool => ({ name: 'git', command: '/bin/sh', prefix: ['-c', script] });

async function toolError(promise: Promise<unknown>): Promise<ToolError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ToolError);
  return err as ToolError;
}

/** Running, not a zombie waiting for a parent that no longer exists to reap it. */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat !== null && !/^\d+ \(.*\) [ZX]/.test(stat);
}

describe('tools/run', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'salve-tools-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('stops a tool at its timeout, and every process it started with it', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const err = await toolError(
      runTool(sh(`sleep 30 & echo $! > ${pidFile}; wait`), [], { limits: { timeoutMs: 500 } }),
    );
    expect(err.code).toBe('tool-timeout');
    expect(err.message).toBe('git did not finish within 500 ms');
    const grandchild = Number(await readFile(pidFile, 'utf8'));
    await expect.poll(() => alive(grandchild)).toBe(false);
  });

  it('stops kustomize at its memory ceiling on a billion-laughs resource (default limits)', async () => {
    await writeFile(join(dir, 'kustomization.yaml'), 'resources:\n  - lol.yaml\n');
    await writeFile(join(dir, 'lol.yaml'), laughs(9));
    const err = await toolError(runTool(locateKustomize(), ['build', '.'], { cwd: dir }));
    expect(err.code).toBe('tool-memory');
    expect(err.message).toBe('kustomize build ran out of its memory ceiling of 1 GiB');
  });

  it('stops a tool that prints more than its output cap', async () => {
    const err = await toolError(runTool(sh('yes salve'), [], { limits: { outputBytes: 1024 * 1024 } }));
    expect(err.code).toBe('tool-output');
    expect(err.message).toBe('git printed more than 1 MiB');
  });

  it("passes no secret from salve's environment to a tool", async () => {
    const env = { PATH: process.env.PATH ?? '', HOME: '/home/x', SALVE_SIGNING_KEY: 'pem', GITHUB_TOKEN: 'ghs_x' };
    const { stdout } = await runTool(sh('env'), [], { baseEnv: env });
    const names = stdout.split('\n').map((l) => l.split('=')[0]);
    expect(names).toEqual(expect.arrayContaining(['PATH', 'HOME', 'GIT_TERMINAL_PROMPT']));
    expect(names).not.toContain('SALVE_SIGNING_KEY');
    expect(names).not.toContain('GITHUB_TOKEN');
  });

  it('reports a non-zero exit with stderr, or returns it when failure is allowed', async () => {
    const err = await toolError(runTool(sh('echo broken >&2; exit 3'), ['x']));
    expect(err).toMatchObject({ code: 'tool-failed', message: 'git x failed: broken', stderr: 'broken\n' });
    expect(await runTool(sh('echo out; exit 3'), [], { allowFailure: true })).toEqual({
      stdout: 'out\n',
      stderr: '',
      code: 3,
    });
  });
});
