import { describe, expect, it } from 'vitest';
import type { FileChange, RenderedDiff } from '../model/index.ts';
import { PROOF_PAYLOAD_TYPE, Proof } from '../model/policy.ts';
import { sha256Hex } from './digest.ts';
import { verifyEnvelope } from './dsse.ts';
import { makeInput } from './fixtures.ts';
import { generateEphemeralKey } from './keys.ts';
import { canonicalDiff, createProof, renderedDiffDigest, signProof, subjectFiles, subjectMismatches } from './proof.ts';

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
  it('lists file changes as [{path, sha256 of after}] sorted by path, and names each file that differs', () => {
    expect(subjectFiles(files)).toEqual([
      { path: 'overlays/staging/kustomization.yaml', sha256: sha256Hex('resources: []\n') },
      { path: 'overlays/staging/patch-memory.yaml', sha256: sha256Hex('kind: Deployment\n') },
    ]);
    expect(subjectFiles([...files].reverse())).toEqual(subjectFiles(files));
    const edited = { ...patchFile, after: 'kind: Deployment\n# edited\n' };
    const extra = { path: '.salve/remediations/x/notes.md', before: null, after: 'x\n' };
    expect(subjectMismatches(subjectFiles(files), [edited, extra])).toEqual([
      { path: '.salve/remediations/x/notes.md', problem: 'unsigned' },
      { path: 'overlays/staging/kustomization.yaml', problem: 'missing' },
      { path: 'overlays/staging/patch-memory.yaml', problem: 'differs' },
    ]);
    expect(subjectMismatches(subjectFiles(files), [...files].reverse())).toEqual([]);
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
    expect(proof.version).toBe('salve.dev/proof/v2');
    expect(proof.subject.files).toEqual([
      { path: 'overlays/staging/kustomization.yaml', sha256: sha256Hex('resources: []\n') },
      { path: 'overlays/staging/patch-memory.yaml', sha256: sha256Hex('kind: Deployment\n') },
    ]);
    expect(proof.subject.renderedDiffDigest).toBe(renderedDiffDigest(diff));
    expect(proof.createdAt).toBe('2025-03-04T10:30:00.000Z');

    const key = generateEphemeralKey();
    const env = signProof(proof, key);
    const { payload } = verifyEnvelope(env, [key.publicKey], { payloadType: PROOF_PAYLOAD_TYPE });
    expect(JSON.parse(payload.toString())).toEqual(proof);
  });
});
