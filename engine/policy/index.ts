/** The policy engine: build and evaluate Rego as wasm, test policies, create, sign and verify proofs. */
export { type BuildOptions, buildBundle, ENTRYPOINT, forgetBuiltBundles, type PolicyBundle } from './bundle.ts';
export { canonicalJson, digestOf, sha256Hex } from './digest.ts';
export { pae, signEnvelope, verifyEnvelope } from './dsse.ts';
export { loadEvaluator, type PolicyEvaluator, sortRules } from './evaluator.ts';
export {
  generateEphemeralKey,
  keyIdOf,
  loadSigningKey,
  loadTrustedKeys,
  type PublicKeyInfo,
  privateKeyPem,
  publicKeyInfo,
  publicKeyPem,
  type SigningKey,
} from './keys.ts';
export {
  type CreateProofArgs,
  canonicalDiff,
  createProof,
  describeMismatch,
  renderedDiffDigest,
  type SubjectMismatch,
  signProof,
  subjectFiles,
  subjectMismatches,
} from './proof.ts';
export { type PolicyTestReport, runPolicyTests } from './test-runner.ts';
export { describeDecisionDiff, type VerifyProofArgs, verifyProof } from './verify.ts';
