/** Every error salve raises on purpose. `code` is stable; callers branch on the class or code, never on text. */
export class SalveError extends Error {
  readonly code: string;
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number;
  constructor(code: string, message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(sanitize(redact(message)), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Malformed or unusable input: a payload, a file, a flag. Exit code 2. */
export class InputError extends SalveError {
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'bad-input', message, { ...options, exitCode: 2 });
  }
}

/** The config repo or its .salve.yaml is wrong or does not say enough. Exit code 2. */
export class ConfigError extends SalveError {
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'bad-config', message, { ...options, exitCode: 2 });
  }
}

/** A live target does not resolve to exactly one overlay. Exit code 2. */
export class ResolveError extends SalveError {
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'unresolved-target', message, { ...options, exitCode: 2 });
  }
}

/** Policy denied the remediation. Exit code 3. */
export class PolicyDeniedError extends SalveError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('policy-denied', message, { ...options, exitCode: 3 });
  }
}

/** The policy engine itself failed (build, load, evaluation). Exit code 1. */
export class PolicyError extends SalveError {
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'policy-error', message, options);
  }
}

/** The rendered change is not what the action declared, or the build failed. Exit code 1. */
export class CheckError extends SalveError {
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'check-failed', message, options);
  }
}

/** Writing the branch, commit, push or PR failed. Exit code 1. */
export class PublishError extends SalveError {
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'publish-failed', message, options);
  }
}

/** A proof, signature or digest does not verify. Exit code 1. */
export class VerifyError extends SalveError {
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'verify-failed', message, options);
  }
}

const SECRET_PATTERNS: RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY( BLOCK)?-----/g,
  /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g,
  /(authorization:\s*)(bearer|basic|token)\s+[^\s"']+/gi,
  /(\/\/[^/\s:@]+:)[^@\s/]+@/g,
];

/** Removes private keys, GitHub tokens, Authorization values and URL credentials from a string. */
export function redact(text: string): string {
  let out = text;
  for (const re of SECRET_PATTERNS) {
    out = out.replace(re, (_m, a: string | undefined, b: string | undefined) => {
      if (a && /authorization/i.test(a)) return `${a}${b} [redacted]`;
      if (a?.startsWith('//')) return `${a}[redacted]@`;
      return '[redacted]';
    });
  }
  return out;
}

/**
 * Characters a terminal or a code review tool acts on instead of showing: C0 controls but tab and
 * newline (ESC starts ANSI sequences, CR rewrites the line), DEL, C1 controls, bidirectional
 * overrides and isolates, zero-width characters, line and paragraph separators, the BOM.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters to escape
const UNSAFE_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** Every error message goes through this: unsafe characters become visible `\uXXXX` escapes. */
export function sanitize(text: string): string {
  return text.replace(UNSAFE_CHARS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A value from the outside, for a message: quoted, escaped (newlines too), at most `max` characters. */
export function quote(value: unknown, max = 200): string {
  const text = typeof value === 'string' ? value : String(value);
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return sanitize(JSON.stringify(cut));
}
