/**
 * OpenPGP signing identities for git commits: a throw-away key for the demo, or one loaded from the
 * environment. openpgp is imported on first use: most commands never sign anything.
 */
import { readFile } from 'node:fs/promises';
import type * as OpenPgp from 'openpgp';
import { ConfigError, PublishError } from '../model/index.ts';

const loadOpenpgp = (): Promise<typeof OpenPgp> => import('openpgp');

export interface SigningIdentity {
  armoredPrivateKey: string;
  armoredPublicKey: string;
  /** Upper-case hex fingerprint of the primary key. */
  fingerprint: string;
}

export interface SigningKey {
  armoredPrivateKey: string;
  passphrase?: string;
}

/**
 * A fresh Ed25519 key with no passphrase. Legacy EdDSA (v4) on purpose: GnuPG 2.2, which
 * `git verify-commit` calls, does not read RFC 9580 Ed25519 keys.
 */
export async function generateSigningIdentity(user: { name: string; email: string }): Promise<SigningIdentity> {
  const openpgp = await loadOpenpgp();
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: user.name, email: user.email }],
    format: 'armored',
  });
  const key = await openpgp.readKey({ armoredKey: publicKey });
  return {
    armoredPrivateKey: privateKey,
    armoredPublicKey: publicKey,
    fingerprint: key.getFingerprint().toUpperCase(),
  };
}

/**
 * Reads `SALVE_GPG_PRIVATE_KEY` (armored) or `SALVE_GPG_PRIVATE_KEY_FILE`, and `SALVE_GPG_PASSPHRASE`.
 * Neither set is a ConfigError. The key is checked (parsed, decrypted) before it is returned.
 */
export async function loadSigningIdentity(env: Record<string, string | undefined>): Promise<SigningKey> {
  let armored = env.SALVE_GPG_PRIVATE_KEY;
  const file = env.SALVE_GPG_PRIVATE_KEY_FILE;
  if (!armored && file) {
    try {
      armored = await readFile(file, 'utf8');
    } catch (err) {
      throw new ConfigError(
        `SALVE_GPG_PRIVATE_KEY_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  if (!armored)
    throw new ConfigError('no commit signing key: set SALVE_GPG_PRIVATE_KEY (armored) or SALVE_GPG_PRIVATE_KEY_FILE');
  const source = env.SALVE_GPG_PRIVATE_KEY ? 'SALVE_GPG_PRIVATE_KEY' : `SALVE_GPG_PRIVATE_KEY_FILE (${file})`;
  const passphrase = env.SALVE_GPG_PASSPHRASE;
  await unlockKey({ armoredPrivateKey: armored, ...(passphrase ? { passphrase } : {}) }, source);
  return passphrase ? { armoredPrivateKey: armored, passphrase } : { armoredPrivateKey: armored };
}

/** Parses and, when needed, decrypts a private key. Errors name the source, never the key. */
export async function unlockKey(key: SigningKey, source = 'signing key'): Promise<OpenPgp.PrivateKey> {
  const openpgp = await loadOpenpgp();
  let parsed: OpenPgp.PrivateKey;
  try {
    parsed = await openpgp.readPrivateKey({ armoredKey: key.armoredPrivateKey });
  } catch {
    throw new ConfigError(`${source}: not an armored OpenPGP private key`);
  }
  if (parsed.isDecrypted()) return parsed;
  if (!key.passphrase) throw new ConfigError(`${source}: the key is protected and SALVE_GPG_PASSPHRASE is not set`);
  try {
    return await openpgp.decryptKey({ privateKey: parsed, passphrase: key.passphrase });
  } catch {
    throw new ConfigError(`${source}: the passphrase does not unlock the key`);
  }
}

/** The name and email of the key's primary user id, or null when it has none with an email. */
export async function signingUserId(armoredKey: string): Promise<{ name: string; email: string } | null> {
  const openpgp = await loadOpenpgp();
  try {
    const key = await openpgp.readKey({ armoredKey });
    const { user } = await key.getPrimaryUser();
    const { name, email } = user.userID ?? {};
    return email ? { name: name || email, email } : null;
  } catch {
    return null;
  }
}

/** A detached, armored signature over `payload` exactly as given (binary, so no line-ending changes). */
export async function signDetached(key: OpenPgp.PrivateKey, payload: string): Promise<string> {
  const openpgp = await loadOpenpgp();
  try {
    const message = await openpgp.createMessage({ binary: new TextEncoder().encode(payload) });
    return await openpgp.sign({ message, signingKeys: key, detached: true, format: 'armored' });
  } catch (err) {
    throw new PublishError(`signing the commit failed: ${(err as Error).message}`);
  }
}
