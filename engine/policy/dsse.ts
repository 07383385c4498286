/** DSSE envelopes (in-toto's Dead Simple Signing Envelope), signed and verified with ed25519. */
import { type KeyObject, sign, verify } from 'node:crypto';
import { VerifyError } from '../model/errors.ts';
import { type DsseEnvelope, PROOF_PAYLOAD_TYPE } from '../model/policy.ts';
import { type PublicKeyInfo, publicKeyInfo, type SigningKey } from './keys.ts';

/** Pre-authentication encoding: `DSSEv1 SP len(type) SP type SP len(body) SP body`, lengths in bytes. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'utf8'),
    type,
    Buffer.from(` ${payload.length} `, 'utf8'),
    payload,
  ]);
}

export function signEnvelope(payload: Buffer | string, payloadType: string, key: SigningKey): DsseEnvelope {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const sig = sign(null, pae(payloadType, body), key.privateKey);
  return {
    payloadType,
    payload: body.toString('base64'),
    signatures: [{ keyid: key.keyid, sig: sig.toString('base64') }],
  };
}

function toInfo(keys: readonly (KeyObject | PublicKeyInfo)[]): PublicKeyInfo[] {
  return keys.map((k, i) => ('keyid' in k ? k : publicKeyInfo(k, `trusted key #${i + 1}`)));
}

/**
 * Checks the payload type and that a signature by one of the trusted keys verifies.
 * A signature whose keyid names no trusted key is skipped; one that names a trusted key must verify.
 */
export function verifyEnvelope(
  env: DsseEnvelope,
  trustedKeys: readonly (KeyObject | PublicKeyInfo)[],
  opts: { payloadType?: string } = {},
): { keyid: string; payload: Buffer } {
  const expected = opts.payloadType ?? PROOF_PAYLOAD_TYPE;
  if (env.payloadType !== expected) {
    throw new VerifyError(`envelope payload type is ${env.payloadType}, expected ${expected}`, {
      code: 'wrong-payload-type',
    });
  }
  const trusted = toInfo(trustedKeys);
  if (trusted.length === 0)
    throw new VerifyError('no trusted keys given to verify the envelope', { code: 'no-trusted-key' });
  const payload = Buffer.from(env.payload, 'base64');
  const message = pae(env.payloadType, payload);
  const bad: string[] = [];
  for (const s of env.signatures) {
    // An empty keyid is allowed by DSSE: try every trusted key.
    const candidates = s.keyid ? trusted.filter((k) => k.keyid === s.keyid) : trusted;
    for (const k of candidates) {
      if (verify(null, message, k.publicKey, Buffer.from(s.sig, 'base64'))) return { keyid: k.keyid, payload };
      bad.push(k.keyid);
    }
  }
  if (bad.length > 0) {
    throw new VerifyError(`bad signature: the signature by trusted key ${bad[0]} does not match the payload`, {
      code: 'bad-signature',
    });
  }
  const signers = env.signatures.map((s) => s.keyid || '(no keyid)').join(', ');
  throw new VerifyError(
    `no trusted key matched: signed by ${signers}; trusted ${trusted.map((k) => `${k.keyid} (${k.source})`).join(', ')}`,
    { code: 'untrusted-key' },
  );
}
