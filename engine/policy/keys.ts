/**
 * Ed25519 keys for signing proofs: the signing key from the environment or a file, an ephemeral
 * key for the demo, and the trusted public keys a verifier accepts. Errors never carry key material.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../model/errors.ts';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** sha256 hex of the public key's SPKI DER. */
  keyid: string;
}

export interface PublicKeyInfo {
  keyid: string;
  publicKey: KeyObject;
  /** Where it came from (a path, or `inline`), for messages. */
  source: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

function requireEd25519(key: KeyObject, where: string): void {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ConfigError(`${where}: expected an ed25519 key, got ${key.asymmetricKeyType ?? key.type}`, {
      code: 'bad-key',
    });
  }
}

function signingKeyFromPem(pem: string, where: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    // The parser's message may quote the input: leave it out.
    throw new ConfigError(`${where}: not a PEM private key (expected ed25519 PKCS#8)`, { code: 'bad-key' });
  }
  requireEd25519(privateKey, where);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyid: keyIdOf(publicKey) };
}

async function readKeyFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${what} ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, {
      code: 'bad-key',
    });
  }
}

/**
 * The signing key: a given file first, then `SALVE_SIGNING_KEY` (PEM), then `SALVE_SIGNING_KEY_FILE`.
 * null when none is configured.
 */
export async function loadSigningKey(opts: { env: Env; file?: string }): Promise<SigningKey | null> {
  if (opts.file)
    return signingKeyFromPem(await readKeyFile(opts.file, 'signing key file'), `signing key file ${opts.file}`);
  const inline = opts.env.SALVE_SIGNING_KEY;
  if (inline?.trim()) return signingKeyFromPem(inline, 'SALVE_SIGNING_KEY');
  const file = opts.env.SALVE_SIGNING_KEY_FILE;
  if (file)
    return signingKeyFromPem(await readKeyFile(file, 'SALVE_SIGNING_KEY_FILE'), `SALVE_SIGNING_KEY_FILE ${file}`);
  return null;
}

/** A fresh in-memory key, for the demo and tests. */
export function generateEphemeralKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyid: keyIdOf(publicKey) };
}

export function privateKeyPem(key: SigningKey): string {
  return key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function publicKeyPem(key: SigningKey | KeyObject): string {
  const pub = 'publicKey' in key ? key.publicKey : key;
  return pub.export({ type: 'spki', format: 'pem' }).toString();
}

export function publicKeyInfo(publicKey: KeyObject, source: string): PublicKeyInfo {
  requireEd25519(publicKey, source);
  return { keyid: keyIdOf(publicKey), publicKey, source };
}

/** Trusted public keys from PEM strings (starting with `-----BEGIN`) or paths to PEM files. */
export async function loadTrustedKeys(entries: readonly string[]): Promise<PublicKeyInfo[]> {
  const keys: PublicKeyInfo[] = [];
  for (const entry of entries) {
    const inline = entry.trimStart().startsWith('-----BEGIN');
    const source = inline ? 'inline PEM' : entry;
    const pem = inline ? entry : await readKeyFile(entry, 'trusted key');
    if (/PRIVATE KEY/.test(pem)) {
      throw new ConfigError(`${source}: a trusted key must be a public key, not a private key`, { code: 'bad-key' });
    }
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey({ key: pem, format: 'pem' });
    } catch {
      throw new ConfigError(`${source}: not a PEM public key (expected ed25519 SPKI)`, { code: 'bad-key' });
    }
    keys.push(publicKeyInfo(publicKey, source));
  }
  return keys;
}
