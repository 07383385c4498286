import { describe, expect, it } from 'vitest';
import { VerifyError } from '../model/errors.ts';
import { PROOF_PAYLOAD_TYPE } from '../model/policy.ts';
import { pae, signEnvelope, verifyEnvelope } from './dsse.ts';
import { generateEphemeralKey } from './keys.ts';

describe('policy/dsse', () => {
  const key = generateEphemeralKey();
  const other = generateEphemeralKey();
  const payload = '{"hello":"world"}';

  it('encodes the pre-authentication message with byte lengths', () => {
    expect(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
    expect(pae('t', Buffer.from('→')).toString()).toBe('DSSEv1 1 t 3 →');
  });

  it('round-trips a payload signed with a trusted key', () => {
    const env = signEnvelope(payload, PROOF_PAYLOAD_TYPE, key);
    expect(env.payloadType).toBe(PROOF_PAYLOAD_TYPE);
    expect(Buffer.from(env.payload, 'base64').toString()).toBe(payload);
    expect(env.signatures).toEqual([{ keyid: key.keyid, sig: expect.any(String) }]);
    const out = verifyEnvelope(env, [other.publicKey, key.publicKey]);
    expect(out.keyid).toBe(key.keyid);
    expect(out.payload.toString()).toBe(payload);
  });

  it('fails on a tampered payload', () => {
    const env = signEnvelope(payload, PROOF_PAYLOAD_TYPE, key);
    const tampered = { ...env, payload: Buffer.from('{"hello":"mallory"}').toString('base64') };
    expect(() => verifyEnvelope(tampered, [key.publicKey])).toThrow(VerifyError);
    expect(() => verifyEnvelope(tampered, [key.publicKey])).toThrow(/bad signature/);
  });

  it('fails when the payload type is changed after signing', () => {
    const env = signEnvelope(payload, PROOF_PAYLOAD_TYPE, key);
    expect(() => verifyEnvelope({ ...env, payloadType: 'text/plain' }, [key.publicKey])).toThrow(
      `envelope payload type is text/plain, expected ${PROOF_PAYLOAD_TYPE}`,
    );
    expect(() =>
      verifyEnvelope({ ...env, payloadType: 'text/plain' }, [key.publicKey], { payloadType: 'text/plain' }),
    ).toThrow(/bad signature/);
  });

  it('fails when no trusted key signed it', () => {
    const env = signEnvelope(payload, PROOF_PAYLOAD_TYPE, key);
    expect(() => verifyEnvelope(env, [other.publicKey])).toThrow(/no trusted key matched: signed by [0-9a-f]{64}/);
    expect(() => verifyEnvelope(env, [])).toThrow(/no trusted keys given/);
  });

  it('fails when a trusted keyid is claimed by another key', () => {
    const forged = signEnvelope(payload, PROOF_PAYLOAD_TYPE, other);
    const claimed = { ...forged, signatures: [{ keyid: key.keyid, sig: forged.signatures[0]?.sig ?? '' }] };
    expect(() => verifyEnvelope(claimed, [key.publicKey])).toThrow(/bad signature/);
  });

  it('tries every trusted key for a signature without a keyid', () => {
    const env = signEnvelope(payload, PROOF_PAYLOAD_TYPE, key);
    const anonymous = { ...env, signatures: [{ keyid: '', sig: env.signatures[0]?.sig ?? '' }] };
    expect(verifyEnvelope(anonymous, [other.publicKey, key.publicKey]).keyid).toBe(key.keyid);
  });
});
