/**
 * Who authors the commits `salve plan` makes: --author, else SALVE_GIT_AUTHOR_NAME/EMAIL, else
 * `.salve.yaml` commitAuthor, else the user id of the OpenPGP key that signs them, so the author and
 * the signature name the same identity.
 */
import type { SalveConfig } from '../config/schema.ts';
import { InputError } from '../model/errors.ts';
import { signingUserId } from '../publish/pgp.ts';
import type { Env } from './commands.ts';

export interface Person {
  name: string;
  email: string;
}

export const FALLBACK_AUTHOR: Person = { name: 'salve', email: 'salve@localhost' };

export function parsePerson(text: string, where: string): Person {
  const match = /^\s*([^<>]*?)\s*<([^<>\s@]+@[^<>\s@]+)>\s*$/.exec(text);
  if (!match?.[1]) throw new InputError(`${where}: expected 'Name <email>', got ${JSON.stringify(text)}`);
  return { name: match[1], email: match[2] as string };
}

export async function commitAuthor(
  flag: string | undefined,
  env: Env,
  config: SalveConfig,
  armoredKey: string | undefined,
): Promise<Person> {
  if (flag) return parsePerson(flag, '--author');
  const { SALVE_GIT_AUTHOR_NAME: name, SALVE_GIT_AUTHOR_EMAIL: email } = env;
  if (name && email) return parsePerson(`${name} <${email}>`, 'SALVE_GIT_AUTHOR_NAME/EMAIL');
  if (name || email) throw new InputError('set both SALVE_GIT_AUTHOR_NAME and SALVE_GIT_AUTHOR_EMAIL, or neither');
  if (config.commitAuthor) return config.commitAuthor;
  return (armoredKey ? await signingUserId(armoredKey) : null) ?? FALLBACK_AUTHOR;
}
