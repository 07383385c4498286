import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../model/index.ts';
import { tempDir } from './__fixtures__/repo.ts';
import { generateSigningIdentity, loadSigningIdentity, type SigningIdentity, signDetached, unlockKey } from './pgp.ts';

describe('publish/pgp', () => {
  let identity: SigningIdentity;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    identity = await generateSigningIdentity({ name: 'salve bot', email: 'bot@salve.dev' });
    tmp = await tempDir('pgp');
  });
  afterAll(() => tmp.remove());

  it('generates an unprotected EdDSA key whose detached signatures verify', async () => {
    expect(identity.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    const key = await unlockKey({ armoredPrivateKey: identity.armoredPrivateKey });
    expect(key.getAlgorithmInfo()).toMatchObject({ algorithm: 'eddsaLegacy', curve: 'ed25519Legacy' });
    const signature = await signDetached(key, 'tree abc\n\nmessage\n');
    const { signatures } = await openpgp.verify({
      message: await openpgp.createMessage({ binary: new TextEncoder().encode('tree abc\n\nmessage\n') }),
      signature: await openpgp.readSignature({ armoredSignature: signature }),
      verificationKeys: await openpgp.readKey({ armoredKey: identity.armoredPublicKey }),
    });
    await expect(signatures[0]?.verified).resolves.toBe(true);
  });

  it('loads from SALVE_GPG_PRIVATE_KEY or a file, and unlocks a protected key with the passphrase', async () => {
    expect(await loadSigningIdentity({ SALVE_GPG_PRIVATE_KEY: identity.armoredPrivateKey })).toEqual({
      armoredPrivateKey: identity.armoredPrivateKey,
    });
    const file = join(tmp.path, 'key.asc');
    await writeFile(file, identity.armoredPrivateKey);
    expect(await loadSigningIdentity({ SALVE_GPG_PRIVATE_KEY_FILE: file })).toEqual({
      armoredPrivateKey: identity.armoredPrivateKey,
    });

    const locked = await openpgp.encryptKey({
      privateKey: await openpgp.readPrivateKey({ armoredKey: identity.armoredPrivateKey }),
      passphrase: 'hunter2',
    });
    const armored = locked.armor();
    const loaded = await loadSigningIdentity({ SALVE_GPG_PRIVATE_KEY: armored, SALVE_GPG_PASSPHRASE: 'hunter2' });
    expect((await unlockKey(loaded)).isDecrypted()).toBe(true);
    await expect(loadSigningIdentity({ SALVE_GPG_PRIVATE_KEY: armored })).rejects.toThrow(
      'SALVE_GPG_PRIVATE_KEY: the key is protected and SALVE_GPG_PASSPHRASE is not set',
    );
    await expect(
      loadSigningIdentity({ SALVE_GPG_PRIVATE_KEY: armored, SALVE_GPG_PASSPHRASE: 'wrong' }),
    ).rejects.toThrow('the passphrase does not unlock the key');
  });

  it('fails with ConfigError that never carries key material', async () => {
    await expect(loadSigningIdentity({})).rejects.toBeInstanceOf(ConfigError);
    await expect(loadSigningIdentity({ SALVE_GPG_PRIVATE_KEY_FILE: join(tmp.path, 'missing.asc') })).rejects.toThrow(
      /cannot read .*missing\.asc \(ENOENT\)/,
    );
    const broken = identity.armoredPrivateKey.replace(/\n([A-Za-z0-9+/]{20})/, '\n!!!!');
    const err = (await loadSigningIdentity({ SALVE_GPG_PRIVATE_KEY: broken }).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe('SALVE_GPG_PRIVATE_KEY: not an armored OpenPGP private key');
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain('PRIVATE KEY BLOCK');
  });
});
