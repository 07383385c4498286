/**
 * Observe mode writes no branch and no commit. Its record goes to `<gitdir>/salve/observations/<id>.md`:
 * inside the git directory, so the user's working tree and `git status` stay clean, and beside the
 * repo it is about. Local PR renderings (the git publisher has no PR) go to `<gitdir>/salve/pull-requests/`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, type PolicyDecision } from '../model/index.ts';
import type { PullRequestContent } from '../model/remediation.ts';
import { gitDirOf } from './git-dir.ts';

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export async function recordObservation(
  dir: string,
  record: { id: string; explanation: string; decision: PolicyDecision },
): Promise<string> {
  const rules = record.decision.rules.map((r) => `- \`${r.id}\` (${r.effect}): ${r.message}`).join('\n');
  const text = `${record.explanation.trimEnd()}\n\n## Decision\n\nmode: ${record.decision.mode}, allowed: ${record.decision.allowed}\n\n${rules || '- no rule fired'}\n`;
  return writeState(dir, 'observations', record.id, text);
}

/** The PR a local publish would open, as a markdown file (title, labels, body). */
export async function recordPullRequest(dir: string, id: string, pr: PullRequestContent): Promise<string> {
  return writeState(
    dir,
    'pull-requests',
    id,
    `# ${pr.title}\n\nlabels: ${pr.labels.join(', ')}\n\n${pr.body.trimEnd()}\n`,
  );
}

async function writeState(dir: string, kind: string, id: string, text: string): Promise<string> {
  if (!SAFE_ID.test(id)) throw new InputError(`remediation id is not a safe file name: ${JSON.stringify(id)}`);
  const folder = join(await gitDirOf(dir), 'salve', kind);
  await mkdir(folder, { recursive: true });
  const file = join(folder, `${id}.md`);
  await writeFile(file, text);
  return file;
}
