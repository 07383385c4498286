import { describe, expect, it } from 'vitest';
import type { FileChange, RenderedDiff } from '../model/index.ts';
import { PROOF_PAYLOAD_TYPE, Proof } from '../model/policy.ts';
import { digestOf, sha256Hex } from './digest.ts';
import { verifyEnvelope } from './dsse.ts';
import { makeInput } from './fixtures.ts';
import { generateEphemeralKey } from './keys.ts';
import { canonicalDiff, changesDigest, createProof, renderedDiffDigest, signProof } from './proof.ts';

const patchFile: FileChange = { path: 'overlays/staging/patch-memory.yaml', before: null, after: 'kind: Deployment\n' };
const kustomization: FileChange = {
  path: 'overlays/staging/kustomization.yaml',
  before: 'a',
  after: 'resources: []\n',
};
const files = [patchFile, kustomization];
const fieldB = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'b', path: '/spec/x', before: 1, after: 2 };
const fieldA = { ...fieldB, name: 'a' };
const diff: RenderedDiff = { fields: [fieldB, fieldA], objects: [] };

describe('policy/proof', () => {
  it('digests file changes as [{path, sha256 of after}] sorted by path', () => {
    expect(changesDigest(files)).toBe(
      digestOf([
        { path: 'overlays/staging/kustomization.yaml', sha256: sha256Hex('resources: []\n') },
        { path: 'overlays/staging/patch-memory.yaml', sha256: sha256Hex('kind: Deployment\n') },
      ]),
    );
    expect(changesDigest([...files].reverse())).toBe(changesDigest(files));
    expect(changesDigest([{ ...patchFile, after: 'kind: Deployment\n# edited\n' }, kustomization])).not.toBe(
      changesDigest(files),
    );
  });

  it('digests the rendered diff independent of the order it was walked in', () => {
    expect(canonicalDiff(diff).fields.map((f) => f.name)).toEqual(['a', 'b']);
    expect(renderedDiffDigest(diff)).toBe(renderedDiffDigest({ ...diff, fields: [...diff.fields].reverse() }));
    expect(renderedDiffDigest({ ...diff, fields: [fieldB] })).not.toBe(renderedDiffDigest(diff));
  });

  it('creates a valid proof and signs its canonical JSON', () => {
    const proof = createProof({
      repo: 'https://example.com/config.git',
      baseCommit: 'c'.repeat(40),
      overlay: 'overlays/staging',
      files,
      diff,
      bundle: { digest: `sha256:${'d'.repeat(64)}`, entrypoint: 'salve/main/decision' },
      input: makeInput(),
      decision: { allowed: true, mode: 'automate', rules: [] },
      engineVersion: '0.1.0',
      now: new Date('2025-03-04T10:30:00Z'),
    });
    expect(Proof.parse(proof)).toEqual(proof);
    expect(proof.subject.changesDigest).toBe(changesDigest(files));
    expect(proof.subject.renderedDiffDigest).toBe(renderedDiffDigest(diff));
    expect(proof.createdAt).toBe('2025-03-04T10:30:00.000Z');

    const key = generateEphemeralKey();
    const env = signProof(proof, key);
    const { payload } = verifyEnvelope(env, [key.publicKey], { payloadType: PROOF_PAYLOAD_TYPE });
    expect(JSON.parse(payload.toString())).toEqual(proof);
  });
});
