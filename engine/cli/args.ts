/** Argument parsing on node:util parseArgs, with errors that say which flag was wrong and where to look. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { InputError } from '../model/errors.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  default?: string | boolean;
  /** The value's placeholder in the help, e.g. `<file>`. */
  arg?: string;
  help: string;
}
export type Options = Readonly<Record<string, OptionSpec>>;

type ParseOptions = NonNullable<ParseArgsConfig['options']>;
type Parsed<T extends ParseOptions> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: true }>
>;

function parseOptionsOf(options: Options | ParseOptions): ParseOptions {
  const out: ParseOptions = {};
  for (const [name, spec] of Object.entries(options)) {
    out[name] = {
      type: spec.type,
      ...(spec.multiple ? { multiple: true } : {}),
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.default !== undefined ? { default: spec.default as string } : {}),
    };
  }
  return out;
}

/** parseArgs' messages are long and assume a script; these name the flag and point at the help. */
function explain(command: string, err: Error & { code?: string }): string {
  const see = `(see 'salve ${command} --help')`;
  const flag = /'(-{1,2}[^' ]+)/.exec(err.message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${flag ?? err.message} ${see}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(err.message)
        ? `option ${flag ?? ''} needs a value ${see}`
        : `option ${flag ?? ''} takes no value ${see}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(err.message)?.[1] ?? ''} ${see}`;
    default:
      return `${err.message} ${see}`;
  }
}

export function parseCommand<T extends ParseOptions>(
  command: string,
  args: string[],
  options: T | Options,
  positionals = 0,
): { values: Parsed<T>['values']; positionals: string[] } {
  let parsed: { values: unknown; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: parseOptionsOf(options), strict: true, allowPositionals: true });
  } catch (cause) {
    throw new InputError(explain(command, cause as Error), { cause, code: 'bad-usage' });
  }
  if (parsed.positionals.length > positionals) {
    const extra = parsed.positionals[positionals];
    throw new InputError(`unexpected argument ${JSON.stringify(extra)} (see 'salve ${command} --help')`, {
      code: 'bad-usage',
    });
  }
  return { values: parsed.values as Parsed<T>['values'], positionals: parsed.positionals };
}

/** Flags only, no positional arguments. */
export function parse<T extends ParseOptions>(command: string, args: string[], options: T): Parsed<T>['values'] {
  return parseCommand<T>(command, args, options).values;
}

export function required(command: string, name: string, value: string | undefined): string {
  if (!value) throw new InputError(`--${name} is required (see 'salve ${command} --help')`, { code: 'bad-usage' });
  return value;
}

/**
 * The config repo: `--repo` when given, else the nearest directory at or above `cwd` that holds
 * `.git`, as git itself finds it.
 */
export function repoDirOf(value: string | undefined, cwd: string): string {
  if (value) return resolve(cwd, value);
  let dir = resolve(cwd);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new InputError(`${cwd} is not inside a git repository: pass --repo <dir>`);
    dir = up;
  }
}
