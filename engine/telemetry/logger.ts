/** Structured logs on stderr (stdout belongs to the CLI's output). Secrets are redacted by path and by pattern. */
import { pino } from 'pino';
import { redact } from '../model/errors.ts';

type LogFn = (obj: object, msg: string) => void;

/** The logger every stage takes: data first, static message. pino's loggers satisfy it. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: object): Logger;
}

export function createLogger(options: { level?: string; name?: string } = {}): Logger {
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
    pino.destination(2),
  );
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
