/** Runs a command as its own process, timed from here, with its peak RSS and CPU time from `/usr/bin/time`. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface ProcessRun {
  seconds: number;
  /** Peak resident set size of the process (or its largest child), KiB. */
  maxRssKiB: number;
  /**
   * User and system CPU time of the process and the children it waited for, seconds: what it cost
   * the machine, far less swayed than wall time by other work on a busy one.
   */
  cpuSeconds: number;
  code: number;
  stdout: string;
  stderr: string;
}

const TIME = '/usr/bin/time';

export async function runProcess(
  command: string,
  args: readonly string[],
  opts: { cwd?: string; env?: Record<string, string>; input?: string } = {},
): Promise<ProcessRun> {
  if (!existsSync(TIME)) throw new Error(`${TIME} is needed for peak RSS (apt-get install time)`);
  const dir = await mkdtemp(join(tmpdir(), 'salve-bench-time-'));
  const out = join(dir, 'rss');
  try {
    const start = performance.now();
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(TIME, ['-f', '%M %U %S', '-o', out, command, ...args], {
          cwd: opts.cwd,
          env: { ...process.env, ...opts.env },
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        const chunks: Buffer[] = [];
        const errs: Buffer[] = [];
        child.stdout.on('data', (c: Buffer) => chunks.push(c));
        child.stderr.on('data', (c: Buffer) => errs.push(c));
        child.on('error', reject);
        child.on('close', (c) =>
          resolve({ code: c ?? 1, stdout: Buffer.concat(chunks).toString(), stderr: Buffer.concat(errs).toString() }),
        );
        child.stdin.end(opts.input ?? '');
      },
    );
    const seconds = (performance.now() - start) / 1000;
    // `time` writes a line of its own before ours when the command fails ("Command exited with ...").
    const [rss, user, sys] = ((await readFile(out, 'utf8')).trim().split('\n').pop() ?? '').split(' ').map(Number);
    return {
      seconds,
      maxRssKiB: rss ?? Number.NaN,
      cpuSeconds: (user ?? Number.NaN) + (sys ?? Number.NaN),
      code,
      stdout,
      stderr,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Fails loudly when a measured run did not do what it was measured for. */
export function expectSuccess(run: ProcessRun, what: string): ProcessRun {
  if (run.code !== 0) throw new Error(`${what} exited ${run.code}: ${run.stderr.slice(0, 2000)}`);
  return run;
}
