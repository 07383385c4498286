/** Runs the compiled `salve` as a user does: a separate process, a clean environment, a chosen directory. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname, '../../bin/salve');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** The executable; default the checkout's bin/salve (which runs lib/, built by the global setup). */
  bin?: string;
  input?: string;
}

/** Only PATH and HOME leak in from the test's environment, so nothing configures salve by accident. */
export function baseEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
}

export function salve(args: string[], opts: RunOptions = {}): Promise<Run> {
  return new Promise((done) => {
    const child = execFile(
      opts.bin ?? BIN,
      args,
      { env: { ...baseEnv(), ...opts.env }, cwd: opts.cwd, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
    child.stdin?.end(opts.input ?? '');
  });
}
