/**
 * A remediation pull request carries its remediations' signed commits and nothing else: every file
 * it changes must have been changed by the commit that signed a remediation, and not touched since.
 */
import { REMEDIATIONS_DIR } from '../publish/read.ts';
import { changedPaths, lastChange } from './git-history.ts';

export interface ScopeProblem {
  file: string;
  reason: string;
  /** The remediation the file belongs to, when it belongs to one. */
  remediation?: string;
}

interface Signed {
  id: string;
  commit: string;
  /** Files the signing commit changed. */
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

export async function checkScope(args: {
  dir: string;
  head: string;
  mergeBase: string;
  prFiles: readonly string[];
  ids: readonly string[];
  policies: readonly string[];
}): Promise<ScopeProblem[]> {
  const signed: Signed[] = [];
  for (const id of args.ids) {
    const change = await lastChange(args.dir, args.head, args.mergeBase, `${REMEDIATIONS_DIR}/${id}/proof.dsse.json`);
    if (!change) continue;
    signed.push({
      id,
      commit: change.commit,
      covered: new Set(await changedPaths(args.dir, change.parent, change.commit)),
      after: new Set(await changedPaths(args.dir, change.commit, args.head)),
    });
  }
  const problems: ScopeProblem[] = [];
  for (const file of args.prFiles) {
    const owner = args.ids.find((id) => file.startsWith(`${REMEDIATIONS_DIR}/${id}/`));
    const signer = signed.find((s) => (owner ? s.id === owner : s.covered.has(file)));
    if (owner && !signer) {
      problems.push({ file, remediation: owner, reason: `changed by this pull request, but the proof of ${owner} was not signed in it` });
    } else if (signer?.after.has(file)) {
      problems.push({
        file,
        remediation: signer.id,
        reason: `changed after ${signer.id} was signed in commit ${signer.commit.slice(0, 12)}: not covered by its proof`,
      });
    } else if (!signer) {
      const policy = isPolicyPath(file, args.policies)
        ? ': it is policy or trust configuration, which remediations are verified against as of the base commit; change it in a pull request of its own'
        : '';
      problems.push({ file, reason: `changed by this pull request outside any signed remediation${policy}` });
    }
  }
  return problems;
}
