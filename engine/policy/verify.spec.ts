import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { VerifyError } from '../model/errors.ts';
import type { FileChange, RenderedDiff } from '../model/index.ts';
import { type DsseEnvelope, PROOF_PAYLOAD_TYPE, type Proof } from '../model/policy.ts';
import { buildBundle, type PolicyBundle } from './bundle.ts';
import { canonicalJson } from './digest.ts';
import { signEnvelope } from './dsse.ts';
import { loadEvaluator, type PolicyEvaluator } from './evaluator.ts';
import { baseInput, makeInput } from './fixtures.ts';
import { generateEphemeralKey, loadTrustedKeys, publicKeyPem } from './keys.ts';
import { createProof, signProof } from './proof.ts';
import { verifyProof } from './verify.ts';

const POLICIES = fileURLToPath(new URL('../../policies', import.meta.url));

const patchFile: FileChange = { path: 'overlays/staging/patch.yaml', before: null, after: 'kind: Deployment\n' };
const files = [patchFile];
/** The rendered diff the fixture input records. */
const diff: RenderedDiff = baseInput().change;

describe('policy/verify', () => {
  const key = generateEphemeralKey();
  let bundle: PolicyBundle;
  let evaluator: PolicyEvaluator;
  let proof: Proof;
  let envelope: DsseEnvelope;

  beforeAll(async () => {
    bundle = await buildBundle([POLICIES]);
    evaluator = await loadEvaluator(bundle);
    const input = makeInput({ change: diff });
    proof = createProof({
      repo: 'https://example.com/config.git',
      baseCommit: 'c'.repeat(40),
      overlay: 'overlays/staging',
      files,
      diff,
      bundle,
      input,
      decision: evaluator.evaluate(input),
      engineVersion: '0.1.0',
      now: '2025-03-04T10:30:00Z',
    });
    envelope = signProof(proof, key);
  });

  /** Re-signs a modified proof with the trusted key: only the content checks can catch it. */
  const resign = (edit: (p: Proof) => void): DsseEnvelope => {
    const copy = JSON.parse(canonicalJson(proof)) as Proof;
    edit(copy);
    return signProof(copy, key);
  };

  it('verifies a proof: signature, bundle, decision and digests', async () => {
    const trustedKeys = await loadTrustedKeys([publicKeyPem(key)]);
    const out = await verifyProof({ envelope, trustedKeys, bundle, files, diff });
    expect(out.keyid).toBe(key.keyid);
    expect(out.proof).toEqual(proof);
    expect(out.proof.decision.mode).toBe('automate');
  });

  it('fails on a tampered payload', async () => {
    const tampered = {
      ...envelope,
      payload: Buffer.from(canonicalJson({ ...proof, createdAt: 'x' })).toString('base64'),
    };
    await expect(verifyProof({ envelope: tampered, trustedKeys: [key.publicKey], bundle })).rejects.toThrow(
      /bad signature/,
    );
  });

  it('fails with a key it does not trust', async () => {
    const other = generateEphemeralKey();
    await expect(verifyProof({ envelope, trustedKeys: [other.publicKey], bundle })).rejects.toThrow(
      /no trusted key matched/,
    );
  });

  it('fails when the input was changed after the decision, naming what differs', async () => {
    const forged = resign((p) => {
      p.input.namespace.name = 'kube-system';
    });
    const err = await verifyProof({ envelope: forged, trustedKeys: [key.publicKey], bundle, evaluator }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(VerifyError);
    const message = (err as Error).message;
    expect(message).toMatch(/^decision differs/);
    expect(message).toContain('allowed true vs false');
    expect(message).toContain('mode automate vs observe');
    expect(message).toContain('rule now fires: admission.protected-namespace (deny)');
    expect(message).toContain('rule no longer fires: admission.namespace-open (allow)');
  });

  it('fails when the decision was upgraded by hand', async () => {
    const forged = resign((p) => {
      p.input.namespace = { name: 'kube-system', labels: {} };
    });
    await expect(verifyProof({ envelope: forged, trustedKeys: [key.publicKey], bundle, evaluator })).rejects.toThrow(
      /decision differs .*allowed true vs false; mode automate vs observe/,
    );
  });

  it('fails when the policy bundle differs', async () => {
    const other = { ...bundle, digest: `sha256:${'0'.repeat(64)}` };
    await expect(verifyProof({ envelope, trustedKeys: [key.publicKey], bundle: other })).rejects.toThrow(
      `policy bundle differs: proof ${bundle.digest} vs current sha256:${'0'.repeat(64)}`,
    );
  });

  it('fails when the files or the rendered diff differ from the proof', async () => {
    const edited = [{ ...patchFile, after: 'kind: Deployment\nspec: {}\n' }];
    await expect(
      verifyProof({ envelope, trustedKeys: [key.publicKey], bundle, evaluator, files: edited }),
    ).rejects.toThrow(
      "changed files differ from the proof's subject: overlays/staging/patch.yaml differs from the content its proof signs",
    );
    const extra = [...files, { path: 'overlays/staging/extra.yaml', before: null, after: 'x: 1\n' }];
    await expect(
      verifyProof({ envelope, trustedKeys: [key.publicKey], bundle, evaluator, files: extra }),
    ).rejects.toThrow(
      "changed files differ from the proof's subject: overlays/staging/extra.yaml changed since the proof's base commit, but not signed by its proof",
    );
    await expect(verifyProof({ envelope, trustedKeys: [key.publicKey], bundle, evaluator, files: [] })).rejects.toThrow(
      "changed files differ from the proof's subject: overlays/staging/patch.yaml signed by its proof, but not changed",
    );
    const widened = { ...diff, objects: [{ op: 'add' as const, apiVersion: 'v1', kind: 'ConfigMap', name: 'x' }] };
    await expect(
      verifyProof({ envelope, trustedKeys: [key.publicKey], bundle, evaluator, diff: widened }),
    ).rejects.toThrow(/rendered diff digest differs/);
  });

  it('rejects a proof of the first format, which did not sign the explanation, with what to do', async () => {
    const v1 = JSON.parse(canonicalJson(proof));
    v1.version = 'salve.dev/proof/v1';
    v1.subject = { ...v1.subject, changesDigest: `sha256:${'a'.repeat(64)}` };
    delete v1.subject.files;
    for (const type of ['application/vnd.salve.proof.v1+json', PROOF_PAYLOAD_TYPE]) {
      const old = signEnvelope(canonicalJson(v1), type, key);
      const err = await verifyProof({ envelope: old, trustedKeys: [key.publicKey], bundle }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VerifyError);
      expect(err).toMatchObject({ code: 'unsupported-proof-version' });
      expect((err as Error).message).toBe(
        'proof format salve.dev/proof/v1 is no longer accepted: it does not sign the explanation and the other files of the remediation record; plan the remediation again',
      );
    }
    expect(PROOF_PAYLOAD_TYPE).toBe('application/vnd.salve.proof.v2+json');
  });

  it('fails on a signed payload that is not a proof', async () => {
    const notProof = signEnvelope('{"version":"salve.dev/proof/v0"}', PROOF_PAYLOAD_TYPE, key);
    await expect(verifyProof({ envelope: notProof, trustedKeys: [key.publicKey], bundle })).rejects.toThrow(
      /proof is malformed at version/,
    );
    const garbage = signEnvelope('not json', PROOF_PAYLOAD_TYPE, key);
    await expect(verifyProof({ envelope: garbage, trustedKeys: [key.publicKey], bundle })).rejects.toThrow(
      'proof payload is not JSON',
    );
  });
});
