/** A Logger that keeps what it is given, for asserting on warnings. */
import type { Logger } from '../../engine/telemetry/logger.ts';

export interface Captured {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string;
}

export function captureLogger(into: Captured[] = []): Logger & { records: Captured[] } {
  const at =
    (level: Captured['level']) =>
    (obj: object, msg: string): void => {
      into.push({ level, obj: obj as Record<string, unknown>, msg });
    };
  const logger = {
    records: into,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}
