/** The policy engine: build and evaluate Rego as wasm, test policies, create, sign and verify proofs. */
export { buildBundle, ENTRYPOINT, forgetBuiltBundles, type BuildOptions, type PolicyBundle } from './bundle.ts';
export { canonicalJson, digestOf, sha256Hex } from './digest.ts';
export { pae, signEnvelope, verifyEnvelope } from './dsse.ts';
export { loadEvaluator, sortRules, type PolicyEvaluator } from './evaluator.ts';
export {
  generateEphemeralKey,
  keyIdOf,
  loadSigningKey,
  loadTrustedKeys,
  privateKeyPem,
  publicKeyInfo,
  publicKeyPem,
  type PublicKeyInfo,
  type SigningKey,
} from './keys.ts';
export { canonicalDiff, changesDigest, createProof, renderedDiffDigest, signProof, type CreateProofArgs } from './proof.ts';
export { runPolicyTests, type PolicyTestReport } from './test-runner.ts';
export { describeDecisionDiff, verifyProof, type VerifyProofArgs } from './verify.ts';
