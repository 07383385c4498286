/**
 * Whether a salve branch still belongs to salve. salve writes exactly one commit on the base: signed,
 * carrying a `Salve-Remediation: <id>` trailer, with the committer identical to the author. (The id
 * may be another remediation's: a workload's branch holds its latest one, superseding the last.) A
 * commit on top of it, an amend or a rebase (which restamp the committer) or anyone else's commit
 * freezes the branch: salve leaves it to the people working on it, as it does on GitHub.
 */
import fs from 'node:fs';
import git, { type CommitObject } from 'isomorphic-git';

export const REMEDIATION_TRAILER = 'Salve-Remediation';

const TRAILER = new RegExp(`^${REMEDIATION_TRAILER}: [A-Za-z0-9][A-Za-z0-9._-]*$`, 'm');

function hasTrailer(commit: CommitObject): boolean {
  return TRAILER.test(commit.message);
}

function person(p: CommitObject['author']): string {
  return `${p.name} <${p.email}>`;
}

/** null when `oid` is salve's one commit on its base; otherwise why it is not, for the user. */
export async function foreignCommit(gitdir: string, oid: string): Promise<string | null> {
  const { commit } = await git.readCommit({ fs, gitdir, oid });
  const short = oid.slice(0, 12);
  if (!hasTrailer(commit)) return `commit ${short} by ${person(commit.author)} was not made by salve`;
  const [parent, ...more] = commit.parent;
  if (!parent || more.length > 0) return `commit ${short} is a merge`;
  const { author, committer } = commit;
  if (person(author) !== person(committer) || author.timestamp !== committer.timestamp)
    return `commit ${short} was amended or rebased by ${person(committer)}`;
  if (!commit.gpgsig) return `commit ${short} is not signed`;
  const below = await git.readCommit({ fs, gitdir, oid: parent });
  if (hasTrailer(below.commit)) return `the branch holds more than salve's one commit (below ${short})`;
  return null;
}
