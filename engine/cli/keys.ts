/**
 * The proof signing key on this machine: SALVE_SIGNING_KEY / SALVE_SIGNING_KEY_FILE when set, else
 * the private key `salve init` stored under the user's config directory for a public key the repo
 * trusts (`<config>/salve/keys/<keyid>.pem`, the keyid being the DSSE keyid of the public half).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SalveConfig } from '../config/schema.ts';
import { repoKeyFiles } from '../pipeline/keys.ts';
import { loadSigningKey, loadTrustedKeys, type SigningKey } from '../policy/keys.ts';
import type { Env } from './commands.ts';

/** `$XDG_CONFIG_HOME/salve/keys`, else `~/.config/salve/keys`: outside every repo. */
export function keyStoreDir(env: Env): string {
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'salve', 'keys');
}

export function storedKeyPath(env: Env, keyid: string): string {
  return join(keyStoreDir(env), `${keyid}.pem`);
}

export interface FoundKey {
  key: SigningKey;
  /** Where it came from, for messages (never the key itself). */
  source: string;
}

export async function findSigningKey(repoDir: string, config: SalveConfig, env: Env): Promise<FoundKey | null> {
  const explicit = await loadSigningKey({ env });
  if (explicit)
    return { key: explicit, source: env.SALVE_SIGNING_KEY ? 'SALVE_SIGNING_KEY' : `${env.SALVE_SIGNING_KEY_FILE}` };
  for (const file of await repoKeyFiles(repoDir, config)) {
    const pem = await readFile(file, 'utf8').catch(() => null);
    if (!pem || !pem.includes('PUBLIC KEY')) continue;
    const [trusted] = await loadTrustedKeys([pem]).catch(() => []);
    const stored = trusted ? storedKeyPath(env, trusted.keyid) : null;
    if (stored && existsSync(stored))
      return { key: (await loadSigningKey({ env: {}, file: stored })) as SigningKey, source: stored };
  }
  return null;
}
