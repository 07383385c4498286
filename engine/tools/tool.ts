/** An external CLI salve runs, the bounds every run of it gets, and the error a run ends in. */
import { SalveError } from '../model/errors.ts';

export type ToolName = 'opa' | 'kustomize' | 'git';

/** What one run of a tool may take before it is stopped. */
export interface ToolLimits {
  /** Wall-clock time; the whole process group is killed when it runs out. */
  timeoutMs: number;
  /** Ceiling on the data segment (RLIMIT_DATA: heap and anonymous mappings), in bytes. */
  memoryBytes: number;
  /** Largest stdout kept; a tool that prints more is stopped. */
  outputBytes: number;
}

const MiB = 1024 * 1024;

/**
 * Room for real work, and a hard stop well before a hostile input hurts the machine: kustomize
 * renders a 120-resource overlay in 0.5 s and 85 MB; opa builds salve's policies in about a second.
 */
export const DEFAULT_LIMITS: Readonly<Record<ToolName, ToolLimits>> = {
  kustomize: { timeoutMs: 30_000, memoryBytes: 1024 * MiB, outputBytes: 128 * MiB },
  opa: { timeoutMs: 45_000, memoryBytes: 2048 * MiB, outputBytes: 64 * MiB },
  git: { timeoutMs: 30_000, memoryBytes: 1024 * MiB, outputBytes: 256 * MiB },
};

export interface Tool {
  readonly name: ToolName;
  readonly command: string;
  /** Arguments placed before the caller's (`['kustomize']` for `kubectl kustomize`). */
  readonly prefix: readonly string[];
  /** Overrides of DEFAULT_LIMITS for this tool. */
  readonly limits?: Partial<ToolLimits>;
}

export function limitsOf(tool: Tool, overrides: Partial<ToolLimits> = {}): ToolLimits {
  return { ...DEFAULT_LIMITS[tool.name], ...tool.limits, ...overrides };
}

/** Codes: tool-missing, tool-failed (non-zero exit), tool-timeout, tool-memory, tool-output. */
export class ToolError extends SalveError {
  readonly stderr: string;
  constructor(message: string, stderr = '', options: { cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'tool-failed', message, options);
    this.stderr = stderr;
  }
}

/** `1 GiB`, `128 MiB`, `512 KiB`. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 * MiB],
    ['MiB', MiB],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= size) return `${Number.isInteger(bytes / size) ? bytes / size : (bytes / size).toFixed(1)} ${unit}`;
  }
  return `${bytes} bytes`;
}

/** `30 s`, `2 s`, `500 ms`. */
export function formatDuration(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}
