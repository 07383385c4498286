/**
 * Runs a tool within its limits: a wall-clock timeout that kills the whole process group (kustomize
 * runs git for remote bases), a memory ceiling set with `ulimit -d` by /bin/sh before it execs the
 * tool (RLIMIT_DATA counts what Go and git really allocate, unlike RLIMIT_AS, which Go's address
 * space reservations exhaust at start-up), a cap on stdout, and a scrubbed environment.
 */
import { spawn } from 'node:child_process';
import { childEnv, type Env } from './child-env.ts';
import { formatBytes, formatDuration, limitsOf, type Tool, ToolError, type ToolLimits } from './tool.ts';

export interface RunToolOptions {
  cwd?: string;
  /** Written to stdin, which is then closed. */
  input?: string | Buffer;
  /** Resolve with the exit code instead of rejecting on a non-zero exit. */
  allowFailure?: boolean;
  limits?: Partial<ToolLimits>;
  /** Variables added to the scrubbed environment. */
  env?: Readonly<Record<string, string>>;
  /** Where the scrubbed environment comes from (default: this process's). */
  baseEnv?: Env;
  /** What to call the run in messages (default: the tool and its first argument). */
  label?: string;
}

export interface RawRunResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

const STDERR_KEPT = 64 * 1024;
const OUT_OF_MEMORY = /out of memory|cannot allocate memory|malloc failed|memory exhausted/i;

export function toolEnv(options: Pick<RunToolOptions, 'baseEnv' | 'env'>): Record<string, string> {
  // No GOMEMLIMIT: near a soft limit Go collects without end and a hostile build takes twice as
  // long to reach the ceiling that stops it.
  return childEnv(options.baseEnv ?? process.env, { GIT_TERMINAL_PROMPT: '0', ...options.env });
}

/** The command and arguments that run `tool` under its memory ceiling. */
export function argvOf(tool: Tool, args: readonly string[], limits: ToolLimits): [string, string[]] {
  const argv = [...tool.prefix, ...args];
  if (process.platform === 'win32') return [tool.command, argv];
  const kib = String(Math.ceil(limits.memoryBytes / 1024));
  // A hard limit already lower than ours stays in force; the soft limit is what we lower.
  return [
    '/bin/sh',
    ['-c', 'ulimit -S -d "$1" 2>/dev/null; shift; exec "$@"', 'salve-limit', kib, tool.command, ...argv],
  ];
}

/** Runs a tool and returns stdout as bytes. A non-zero exit is ToolError `tool-failed` unless allowed. */
export function runToolRaw(tool: Tool, args: readonly string[], options: RunToolOptions = {}): Promise<RawRunResult> {
  const limits = limitsOf(tool, options.limits);
  const what = options.label ?? `${tool.name} ${args.find((a) => !a.startsWith('-')) ?? ''}`.trim();
  const [command, argv] = argvOf(tool, args, limits);
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, {
      cwd: options.cwd,
      env: toolEnv(options),
      detached: process.platform !== 'win32',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    let stopped: ToolError | null = null;
    const stop = (err: ToolError) => {
      if (stopped) return;
      stopped = err;
      try {
        if (child.pid !== undefined) process.kill(process.platform === 'win32' ? child.pid : -child.pid, 'SIGKILL');
      } catch {}
    };
    const timer = setTimeout(
      () =>
        stop(
          new ToolError(`${what} did not finish within ${formatDuration(limits.timeoutMs)}`, stderr, {
            code: 'tool-timeout',
          }),
        ),
      limits.timeoutMs,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > limits.outputBytes) {
        stop(
          new ToolError(`${what} printed more than ${formatBytes(limits.outputBytes)}`, stderr, {
            code: 'tool-output',
          }),
        );
        return;
      }
      out.push(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEPT);
    });
    child.stdin.on('error', () => {}); // a tool that exits without reading its input
    child.stdin.end(options.input ?? '');
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new ToolError(`${what} could not start: ${err.message}`, '', { code: 'tool-missing', cause: err }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (stopped) return reject(stopped);
      if (code !== 0 && OUT_OF_MEMORY.test(stderr)) {
        return reject(
          new ToolError(`${what} ran out of its memory ceiling of ${formatBytes(limits.memoryBytes)}`, stderr, {
            code: 'tool-memory',
          }),
        );
      }
      const exit = code ?? 128;
      if (exit !== 0 && !options.allowFailure) {
        const reason = stderr.trim() || (signal ? `killed by ${signal}` : `exit code ${exit}`);
        return reject(new ToolError(`${what} failed: ${reason}`, stderr));
      }
      resolve({ stdout: Buffer.concat(out), stderr, code: exit });
    });
  });
}

/** Runs a tool and returns stdout as text. */
export async function runTool(tool: Tool, args: readonly string[], options: RunToolOptions = {}): Promise<RunResult> {
  const { stdout, stderr, code } = await runToolRaw(tool, args, options);
  return { stdout: stdout.toString('utf8'), stderr, code };
}
