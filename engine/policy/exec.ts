/** Runs opa for commands whose stdout matters even on a non-zero exit (`opa test`). */
import { execFile } from 'node:child_process';
import type { Tool } from '../tools/index.ts';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function execTool(tool: Tool, args: readonly string[], options: { cwd?: string } = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(
      tool.command,
      [...tool.prefix, ...args],
      { cwd: options.cwd, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(err);
          return;
        }
        resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
      },
    );
  });
}
