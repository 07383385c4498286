/**
 * The `salve` command line: the only place besides the App and the Action that reads argv and env.
 * Only the command that runs is loaded; `--help`, `--version` and usage errors load nothing else.
 */
import { redact, SalveError } from '../model/errors.ts';
import { parseCommand } from './args.ts';
import { COMMANDS, type Env, findCommand } from './commands.ts';
import { commandUsage, mainUsage } from './help.ts';
import { salveVersion } from './version.ts';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

interface Globals {
  args: string[];
  logLevel: string | undefined;
}

/** `--log-level <l>` (or `=l`) anywhere before `--` applies to every command; it is taken out here. */
function takeLogLevel(argv: string[]): Globals {
  const args: string[] = [];
  let logLevel: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      args.push(...argv.slice(i));
      break;
    }
    if (a === '--log-level' || a.startsWith('--log-level=')) {
      logLevel = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (!logLevel || !LOG_LEVELS.includes(logLevel)) {
        throw new SalveError('bad-usage', `--log-level must be one of ${LOG_LEVELS.join(', ')}`, { exitCode: 2 });
      }
      continue;
    }
    args.push(a);
  }
  return { args, logLevel };
}

function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '-h' || a === '--help');
}

function closest(name: string): string | null {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let prev = row[0] as number;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const next = Math.min(
          (row[j] as number) + 1,
          (row[j - 1] as number) + 1,
          prev + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
        prev = row[j] as number;
        row[j] = next;
      }
    }
    return row[b.length] as number;
  };
  const best = COMMANDS.map((c) => ({ name: c.name, d: distance(name, c.name) })).sort((a, b) => a.d - b.d)[0];
  return best && best.d <= 2 ? best.name : null;
}

const out = (text: string) => process.stdout.write(`${text}\n`);

/** Runs one command line and returns the exit code; throws only what the command itself throws. */
export async function main(argv: string[], env: Env): Promise<number> {
  const { args, logLevel } = takeLogLevel(argv);
  const [command, ...rest] = args;
  if (command === '--version' || command === '-V' || command === 'version') {
    out(`salve ${salveVersion()}`);
    return 0;
  }
  if (command === undefined) {
    process.stderr.write(`${mainUsage()}\n`);
    return 2;
  }
  if (command === '-h' || command === '--help' || command === 'help') {
    const topic = rest[0] ? findCommand(rest[0]) : undefined;
    if (rest[0] && !topic) throw new SalveError('bad-usage', `no command ${JSON.stringify(rest[0])}`, { exitCode: 2 });
    out(topic ? commandUsage(topic) : mainUsage());
    return 0;
  }
  const spec = findCommand(command);
  if (!spec) {
    const hint = closest(command);
    throw new SalveError(
      'bad-usage',
      `unknown command ${JSON.stringify(command)}${hint ? `; did you mean '${hint}'?` : ''} (see 'salve --help')`,
      { exitCode: 2 },
    );
  }
  if (wantsHelp(rest)) {
    out(commandUsage(spec));
    return 0;
  }
  // Usage errors are found before the command's code loads: a typo costs no start-up time.
  if (!spec.ownParser) parseCommand(spec.name, rest, spec.options, spec.positionals ?? 0);
  // Before the command's schemas are built: zod decides at construction whether an object schema
  // compiles a fast parser (new Function) on its first parse, a cost a short command never earns back.
  if (!spec.longRunning) (await import('zod')).config({ jitless: true });
  const run = await spec.load();
  return run(rest, logLevel ? { ...env, SALVE_LOG_LEVEL: logLevel } : env);
}

/** Prints an error as the user should see it and returns its exit code. */
export function reportError(err: unknown, context: { command?: string; json?: boolean; debug?: boolean } = {}): number {
  const prefix = context.command && findCommand(context.command) ? `salve ${context.command}` : 'salve';
  const known = err instanceof SalveError;
  const message = known ? err.message : redact(err instanceof Error ? err.message : String(err));
  const code = known ? err.exitCode : 1;
  if (context.json) {
    const error = { code: known ? err.code : 'internal', message, exitCode: code };
    process.stdout.write(`${JSON.stringify({ error }, null, 2)}\n`);
    return code;
  }
  // Messages that already name the command (`salve verify: ...`) are printed as they are.
  const text = /^salve[ :]/.test(message) ? message : `${prefix}: ${known ? '' : 'internal error: '}${message}`;
  process.stderr.write(`${text}\n`);
  if (!known) {
    const stack = err instanceof Error && err.stack ? redact(err.stack) : '';
    process.stderr.write(
      context.debug && stack
        ? `${stack}\n`
        : 'this is a bug in salve: run again with --log-level debug for the stack trace\n',
    );
  }
  return code;
}

/** main() with every error reported: what bin/salve runs. Never throws. */
export async function run(argv: string[], env: Env): Promise<number> {
  try {
    return await main(argv, env);
  } catch (err) {
    let globals: Globals = { args: argv, logLevel: undefined };
    try {
      globals = takeLogLevel(argv);
    } catch {}
    const end = globals.args.indexOf('--');
    const level = globals.logLevel ?? env.SALVE_LOG_LEVEL;
    return reportError(err, {
      ...(globals.args[0] ? { command: globals.args[0] } : {}),
      json: (end === -1 ? globals.args : globals.args.slice(0, end)).includes('--json'),
      debug: level === 'debug' || level === 'trace',
    });
  }
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (invokedDirectly) {
  run(process.argv.slice(2), process.env).then((code) => {
    process.exitCode = code;
  });
}
