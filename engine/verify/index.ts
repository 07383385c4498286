/**
 * Re-checks remediations on a ref, trusting nothing the branch says about itself: the signature
 * against trusted keys, the policy decision recomputed from the proof's input, every file changed
 * since the proof's base commit against the files the proof signs, and the rendered diff
 * re-rendered at base and head. What to trust is the caller's to load (see change.ts).
 */
import { getAction } from '../actions/registry.ts';
import { validateArgoRollouts } from '../check/crd-schema.ts';
import { placeObjects } from '../check/identity.ts';
import { checkDeclaredEffects, renderedDiff } from '../check/index.ts';
import { SalveError } from '../model/errors.ts';
import type { FileChange, RenderedDiff } from '../model/index.ts';
import { DsseEnvelope, type PolicySettings, type Proof } from '../model/policy.ts';
import {
  canonicalDiff,
  canonicalJson,
  describeMismatch,
  type PolicyBundle,
  type PublicKeyInfo,
  subjectMismatches,
  verifyProof,
} from '../policy/index.ts';
import { changedFiles, REMEDIATIONS_DIR, readRemediations } from '../publish/read.ts';
import { readOverlayTransforms } from '../render/overlay.ts';
import { buildOverlay, createBuildCache } from '../repo/index.ts';
import { checkExposure } from './exposure.ts';
import { materialize } from './materialize.ts';
import { checkRevert } from './revert.ts';

export interface Verdict {
  id: string;
  ok: boolean;
  /** Repo-relative file each problem is about, and the reason. */
  errors: Array<{ file: string; reason: string }>;
  action?: string;
  target?: string;
  mode?: string;
  rules?: string[];
  keyid?: string;
  proof?: Proof;
}

export interface VerifyOptions {
  repoDir: string;
  ref: string;
  bundle: PolicyBundle;
  /** Keys trusted for this ref; callers load them from a commit the branch cannot change. */
  trustedKeys: readonly PublicKeyInfo[];
  /** Re-render the overlay at base and head with kustomize (default true). */
  rerender?: boolean;
  /** Only these remediation ids (default: every one on the ref). */
  ids?: readonly string[];
  /**
   * The policy settings the trusted `.salve.yaml` yields now. The proof's input carries the
   * settings it was decided under; a mismatch means the trust ladder, thresholds or bounds changed
   * since (or were edited), and the remediation must be planned again.
   */
  settings?: PolicySettings;
}

function message(err: unknown): string {
  return err instanceof SalveError ? err.message : err instanceof Error ? err.message : String(err);
}

export async function verifyRef(opts: VerifyOptions): Promise<Verdict[]> {
  const only = opts.ids ? new Set(opts.ids) : null;
  const remediations = (await readRemediations(opts.repoDir, opts.ref)).filter((r) => !only || only.has(r.id));
  const verdicts: Verdict[] = [];
  for (const rem of remediations) verdicts.push(await verifyOne(opts, rem.id, rem.files));
  return verdicts;
}

async function verifyOne(opts: VerifyOptions, id: string, files: Record<string, string>): Promise<Verdict> {
  const dir = `${REMEDIATIONS_DIR}/${id}`;
  const envelopeFile = `${dir}/proof.dsse.json`;
  const verdict: Verdict = { id, ok: false, errors: [] };
  const fail = (file: string, reason: string) => {
    verdict.errors.push({ file, reason });
    return verdict;
  };
  const text = files['proof.dsse.json'];
  if (text === undefined) return fail(envelopeFile, 'missing: every remediation carries a signed proof');
  let envelope: DsseEnvelope;
  try {
    envelope = DsseEnvelope.parse(JSON.parse(text));
  } catch (err) {
    return fail(envelopeFile, `not a DSSE envelope: ${message(err)}`);
  }
  let changes: FileChange[];
  try {
    const base = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as {
      subject?: { baseCommit?: string };
    };
    const baseCommit = base.subject?.baseCommit;
    if (!baseCommit) return fail(envelopeFile, 'proof names no base commit');
    // Everything since the base commit must be signed, but the proof's own two files.
    const own = new Set([envelopeFile, `${dir}/proof.json`]);
    changes = (await changedFiles(opts.repoDir, baseCommit, opts.ref)).filter((f) => !own.has(f.path));
  } catch (err) {
    return fail(envelopeFile, `cannot read the change against the proof's base commit: ${message(err)}`);
  }
  let proof: Proof;
  try {
    const verified = await verifyProof({ envelope, trustedKeys: opts.trustedKeys, bundle: opts.bundle });
    proof = verified.proof;
    verdict.keyid = verified.keyid;
  } catch (err) {
    return fail(envelopeFile, message(err));
  }
  Object.assign(verdict, {
    proof,
    action: proof.input.action.id,
    target: `${proof.input.target.cluster}/${proof.input.target.namespace}/${proof.input.target.kind}/${proof.input.target.name}`,
    mode: proof.decision.mode,
    rules: proof.decision.rules.map((r) => r.id),
  });
  for (const m of subjectMismatches(proof.subject.files, changes)) fail(m.path, describeMismatch(m));
  try {
    for (const p of await checkRevert(opts.repoDir, id, proof, changes)) fail(p.file, p.reason);
  } catch (err) {
    fail(envelopeFile, `cannot check the revert against the commits: ${message(err)}`);
  }
  if (opts.settings) {
    const differ = differingKeys(proof.input.settings, opts.settings);
    if (differ.length > 0) {
      fail(
        envelopeFile,
        `decided under policy settings that differ from the trusted .salve.yaml (${differ.join(', ')}); plan it again`,
      );
    }
  }
  const recorded = files['proof.json'];
  if (recorded !== undefined && canonicalJson(JSON.parse(recorded)) !== canonicalJson(proof)) {
    fail(`${dir}/proof.json`, 'differs from the signed proof in proof.dsse.json');
  }
  if (opts.rerender !== false) {
    try {
      for (const problem of await checkRendered(opts, proof)) fail(proof.subject.overlay, problem);
    } catch (err) {
      fail(proof.subject.overlay, message(err));
    }
  }
  verdict.ok = verdict.errors.length === 0;
  return verdict;
}

/** Throws when the re-rendered diff is not the recorded one; returns schema problems of the rendered head. */
async function checkRendered(opts: VerifyOptions, proof: Proof): Promise<string[]> {
  const cache = createBuildCache();
  const [base, head] = await Promise.all([
    materialize(opts.repoDir, proof.subject.baseCommit),
    materialize(opts.repoDir, opts.ref),
  ]);
  let diff: RenderedDiff;
  let problems: string[];
  let exposure: Awaited<ReturnType<typeof checkExposure>>;
  try {
    // The same identity rule as plan: namespace-less objects live in the Application's namespace.
    const namespace = proof.subject.namespace ?? proof.input.target.namespace;
    const before = placeObjects((await buildOverlay(base.dir, proof.subject.overlay, { cache })).objects, namespace);
    const after = placeObjects((await buildOverlay(head.dir, proof.subject.overlay, { cache })).objects, namespace);
    diff = renderedDiff(before, after);
    problems = (await validateArgoRollouts(after)).map(
      (p) => `${p.kind}/${p.name} ${p.path}: ${p.message} (Argo Rollouts CRD schema)`,
    );
    const affixes = await readOverlayTransforms(base.dir, proof.subject.overlay);
    exposure = await checkExposure(proof, opts.bundle, before, after, affixes);
    problems.push(...exposure.problems);
  } finally {
    await Promise.all([base.cleanup(), head.cleanup()]);
  }
  if (canonicalJson(canonicalDiff(diff)) !== canonicalJson(exposure.recorded)) {
    throw new SalveError(
      'rendered-diff-mismatch',
      `rendered diff at ${opts.ref} differs from the one recorded in the proof: recorded ${describe(exposure.recorded)}, rendered ${describe(diff)}`,
    );
  }
  const plugin = getAction(proof.input.action.id);
  if (!plugin) throw new SalveError('unknown-action', `proof names unknown action ${proof.input.action.id}`);
  const t = proof.input.target;
  const own = plugin.effects(proof.input.action.params, { kind: t.kind, name: t.name, namespace: t.namespace });
  checkDeclaredEffects(diff, {
    fields: [...own.fields, ...exposure.effects.fields],
    objects: [...own.objects, ...exposure.effects.objects],
  });
  return problems;
}

function describe(diff: RenderedDiff): string {
  const parts = [
    ...diff.fields.map(
      (f) => `${f.kind}/${f.name} ${f.path}: ${JSON.stringify(f.before)} → ${JSON.stringify(f.after)}`,
    ),
    ...diff.objects.map((o) => `${o.op} ${o.kind}/${o.name}`),
  ];
  return parts.length ? parts.join('; ') : 'no change';
}

/** Top-level keys whose values differ, compared as canonical JSON. */
function differingKeys(recorded: PolicySettings, expected: PolicySettings): string[] {
  const keys = new Set([...Object.keys(recorded), ...Object.keys(expected)]);
  return [...keys]
    .filter(
      (k) =>
        canonicalJson((recorded as Record<string, unknown>)[k]) !==
        canonicalJson((expected as Record<string, unknown>)[k]),
    )
    .sort();
}
