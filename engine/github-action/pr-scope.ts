/**
 * A remediation pull request carries its remediations and nothing else. A file it changes is
 * covered when a verified proof's changes digest accounts for it, or, for a proof that failed, when
 * the commit that first signed the remediation changed it and nothing touched it since.
 */
import { REMEDIATIONS_DIR } from '../publish/read.ts';
import { changedPaths, firstChange } from './git-history.ts';

export interface ScopeProblem {
  file: string;
  reason: string;
  /** The remediation the problem belongs to, when the file belongs to one. */
  remediation?: string;
}

export interface CheckedRemediation {
  id: string;
  /** Passed verification: its changes digest covers every change since its base commit. */
  ok: boolean;
  baseCommit?: string;
}

interface Signed {
  id: string;
  ok: boolean;
  commit: string;
  covered: Set<string>;
  /** Files changed between the signing commit and the head. */
  after: Set<string>;
}

/** Policy and trust configuration: what decides whether a remediation is allowed. */
export function isPolicyPath(path: string, policies: readonly string[]): boolean {
  return (
    path === '.salve.yaml' ||
    path === '.salve.yml' ||
    path.startsWith('.salve/keys/') ||
    policies.some((p) => path.startsWith(`${p.replace(/^\.\/|\/$/g, '')}/`))
  );
}

const SIGNED_FILES = new Set(['proof.dsse.json', 'proof.json']);

async function signedBy(dir: string, head: string, mergeBase: string, r: CheckedRemediation): Promise<Signed | null> {
  const change = await firstChange(dir, head, mergeBase, `${REMEDIATIONS_DIR}/${r.id}/proof.dsse.json`);
  if (!change) return null;
  const covered = new Set(await changedPaths(dir, change.parent, change.commit));
  if (r.ok && r.baseCommit) for (const p of await changedPaths(dir, r.baseCommit, head)) covered.add(p);
  return {
    id: r.id,
    ok: r.ok,
    commit: change.commit,
    covered,
    after: new Set(await changedPaths(dir, change.commit, head)),
  };
}

export async function checkScope(args: {
  dir: string;
  head: string;
  mergeBase: string;
  prFiles: readonly string[];
  remediations: readonly CheckedRemediation[];
  policies: readonly string[];
}): Promise<ScopeProblem[]> {
  const signed: Signed[] = [];
  for (const r of args.remediations) {
    const s = await signedBy(args.dir, args.head, args.mergeBase, r);
    if (s) signed.push(s);
  }
  const problems: ScopeProblem[] = [];
  for (const file of args.prFiles) {
    const owner = args.remediations.find((r) => file.startsWith(`${REMEDIATIONS_DIR}/${r.id}/`))?.id;
    const signer = signed.find((s) => (owner ? s.id === owner : s.covered.has(file)));
    if (owner && !signer) {
      problems.push({
        file,
        remediation: owner,
        reason: `changed by this pull request, but the proof of ${owner} was not signed in it`,
      });
      continue;
    }
    if (!signer) {
      const policy = isPolicyPath(file, args.policies)
        ? ': it is policy or trust configuration, which remediations are verified against as of the base commit; change it in a pull request of its own'
        : '';
      problems.push({ file, reason: `changed by this pull request outside any signed remediation${policy}` });
      continue;
    }
    // A verified proof vouches for the overlay and its own files; the rest must predate nothing.
    const vouched = signer.ok && (!owner || SIGNED_FILES.has(file.slice(file.lastIndexOf('/') + 1)));
    if (signer.after.has(file) && !vouched) {
      problems.push({
        file,
        remediation: signer.id,
        reason: `changed after ${signer.id} was signed in commit ${signer.commit.slice(0, 12)}: not covered by its proof`,
      });
    }
  }
  return problems;
}
