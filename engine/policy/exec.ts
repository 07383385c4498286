/** Runs opa for commands whose stdout matters even on a non-zero exit (`opa test`), within its limits. */
import { runTool, type Tool } from '../tools/index.ts';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function execTool(tool: Tool, args: readonly string[], options: { cwd?: string } = {}): Promise<ExecResult> {
  return runTool(tool, args, { ...options, allowFailure: true });
}
