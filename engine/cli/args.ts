/** Argument parsing on node:util parseArgs, with errors that say which flag was wrong. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { InputError } from '../model/errors.ts';

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  args: string[],
  options: T,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>>['values'] {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (cause) {
    throw new InputError(`salve ${command}: ${(cause as Error).message}`, { cause });
  }
}

export function required(command: string, name: string, value: string | undefined): string {
  if (!value) throw new InputError(`salve ${command}: --${name} is required`);
  return value;
}
