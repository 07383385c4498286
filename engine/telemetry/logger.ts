/** Structured logs on stderr (stdout belongs to the CLI's output). Secrets are redacted by path and by pattern. */
import { pino } from 'pino';
import { redact, sanitize } from '../model/errors.ts';

type LogFn = (obj: object, msg: string) => void;

/** The logger every stage takes: data first, static message. pino's loggers satisfy it. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: object): Logger;
}

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** `json` (default: one object per line, for servers and collectors) or `text` (a person reading a terminal). */
  format?: 'json' | 'text';
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? 'salve',
      level: options.level ?? 'info',
      redact: {
        paths: [
          'token',
          '*.token',
          'privateKey',
          '*.privateKey',
          'secret',
          '*.secret',
          'headers.authorization',
          '*.headers.authorization',
        ],
        censor: '[redacted]',
      },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redact(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    options.format === 'text' ? textDestination((line) => process.stderr.write(line)) : pino.destination(2),
  );
}

const META = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg']);
const WORD: Record<string, string> = { warn: 'warning', fatal: 'error' };

/** A value as inert text on one line: unsafe characters and newlines as visible escapes. */
function inert(v: unknown): string {
  const strings = Array.isArray(v) && v.every((x) => typeof x === 'string');
  const text = typeof v === 'string' ? v : strings ? (v as string[]).join(', ') : (JSON.stringify(v) ?? '');
  return sanitize(text).replace(/\n/g, '\\n');
}

/** One log record (pino's JSON line, already redacted) as `salve: warning: <msg> (key: value; …)`. */
export function textLine(json: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = String(rec.level ?? 'info');
  const fields = Object.entries(rec)
    .filter(([k]) => !META.has(k))
    .map(([k, v]) => `${k}: ${inert(v)}`);
  const tail = fields.length > 0 ? ` (${fields.join('; ')})` : '';
  return `${inert(rec.name ?? 'salve')}: ${WORD[level] ?? level}: ${inert(rec.msg ?? '')}${tail}\n`;
}

function textDestination(write: (line: string) => void): { write(line: string): void } {
  return { write: (line) => write(textLine(line)) };
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
