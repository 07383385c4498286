import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../model/errors.ts';
import { generateEphemeralKey, keyIdOf, loadSigningKey, loadTrustedKeys, privateKeyPem, publicKeyPem } from './keys.ts';

describe('policy/keys', () => {
  let tmp: string;
  const key = generateEphemeralKey();
  const pem = privateKeyPem(key);

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'salve-keys-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('names a key by the sha256 of its public SPKI DER', () => {
    expect(key.keyid).toMatch(/^[0-9a-f]{64}$/);
    expect(keyIdOf(key.publicKey)).toBe(key.keyid);
    expect(generateEphemeralKey().keyid).not.toBe(key.keyid);
  });

  it('loads the signing key from SALVE_SIGNING_KEY', async () => {
    const loaded = await loadSigningKey({ env: { SALVE_SIGNING_KEY: pem } });
    expect(loaded?.keyid).toBe(key.keyid);
  });

  it('loads the signing key from SALVE_SIGNING_KEY_FILE and from a given file, the file first', async () => {
    const file = join(tmp, 'signing.pem');
    await writeFile(file, pem);
    expect((await loadSigningKey({ env: { SALVE_SIGNING_KEY_FILE: file } }))?.keyid).toBe(key.keyid);
    const other = generateEphemeralKey();
    const loaded = await loadSigningKey({ env: { SALVE_SIGNING_KEY: privateKeyPem(other) }, file });
    expect(loaded?.keyid).toBe(key.keyid);
  });

  it('returns null when no key is configured', async () => {
    expect(await loadSigningKey({ env: {} })).toBeNull();
  });

  it('refuses a malformed key without echoing it', async () => {
    const broken = pem.replace(/[A-Za-z]{8}/, '!!!!!!!!');
    const err = await loadSigningKey({ env: { SALVE_SIGNING_KEY: broken } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/SALVE_SIGNING_KEY: not a PEM private key/);
    expect((err as Error).message).not.toContain(pem.split('\n')[1]);
  });

  it('refuses a key that is not ed25519', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaPem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(loadSigningKey({ env: { SALVE_SIGNING_KEY: rsaPem } })).rejects.toThrow(
      /expected an ed25519 key, got rsa/,
    );
  });

  it('names a missing key file', async () => {
    const missing = join(tmp, 'nope.pem');
    await expect(loadSigningKey({ env: { SALVE_SIGNING_KEY_FILE: missing } })).rejects.toThrow(
      `${missing} cannot be read: ENOENT`,
    );
  });

  it('loads trusted public keys from PEM strings and files', async () => {
    const other = generateEphemeralKey();
    const file = join(tmp, 'other.pub');
    await writeFile(file, publicKeyPem(other));
    const trusted = await loadTrustedKeys([publicKeyPem(key), file]);
    expect(trusted.map((k) => k.keyid)).toEqual([key.keyid, other.keyid]);
    expect(trusted.map((k) => k.source)).toEqual(['inline PEM', file]);
  });

  it('refuses a private key offered as a trusted key, without echoing it', async () => {
    const err = await loadTrustedKeys([pem]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/must be a public key/);
    expect((err as Error).message).not.toContain('PRIVATE KEY-----\n');
  });
});
