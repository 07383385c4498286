/**
 * `salve explain <remediation-id|branch>`: the explanation of a remediation that exists, from the
 * first place that has it: the branch (local, then remote-tracking), HEAD (merged), or the
 * observe-only records under .git/salve/observations/.
 */
import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { InputError } from '../model/errors.ts';
import { gitDirOf } from '../publish/git-dir.ts';
import { REMEDIATIONS_DIR, readRemediations } from '../publish/read.ts';
import { parseCommand, repoDirOf } from './args.ts';
import { type Env, EXPLAIN_OPTIONS } from './commands.ts';
import { terminalText } from './output.ts';

interface Found {
  id: string;
  source: string;
  explanation: string;
}

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

async function resolveRef(gitdir: string, ref: string): Promise<string | null> {
  try {
    return await git.resolveRef({ fs, gitdir, ref });
  } catch {
    return null;
  }
}

/**
 * Branch names (local first, then `<remote>/<branch>`) that may hold the remediation: the name as
 * given, `salve/<id>`, and the one salve branch whose name starts with `salve/<prefix>` (a short
 * fingerprint is enough).
 */
async function candidateRefs(gitdir: string, wanted: string): Promise<string[]> {
  const names = wanted.includes('/') ? [wanted] : [`salve/${wanted}`, wanted];
  const remotes = (await git.listRemotes({ fs, gitdir })).map((r) => r.remote);
  const refs: string[] = [];
  for (const name of names) refs.push(`refs/heads/${name}`);
  for (const remote of remotes) for (const name of names) refs.push(`refs/remotes/${remote}/${name}`);
  const prefix = names[0] as string;
  const local = (await git.listBranches({ fs, gitdir })).filter((b) => b.startsWith(prefix));
  const unique = [...new Set(local)];
  if (unique.length === 1) refs.push(`refs/heads/${unique[0]}`);
  return refs;
}

async function onRef(dir: string, ref: string, wanted: string): Promise<Found | null> {
  const records = await readRemediations(dir, ref);
  const id = wanted.replace(/^salve\//, '');
  const record = records.find((r) => r.id === id) ?? (records.length === 1 ? records[0] : undefined);
  const text = record?.files['explanation.md'];
  if (!record || text === undefined) return null;
  return { id: record.id, source: `branch ${ref.replace(/^refs\/(heads|remotes)\//, '')}`, explanation: text };
}

export async function findExplanation(dir: string, wanted: string): Promise<Found> {
  const gitdir = await gitDirOf(dir);
  for (const ref of await candidateRefs(gitdir, wanted)) {
    if (!(await resolveRef(gitdir, ref))) continue;
    const found = await onRef(dir, ref, wanted);
    if (found) return found;
  }
  const id = wanted.replace(/^salve\//, '');
  if (SAFE_ID.test(id)) {
    const merged = (await readRemediations(dir, 'HEAD')).find((r) => r.id === id);
    const text = merged?.files['explanation.md'];
    if (text !== undefined) return { id, source: `HEAD (${REMEDIATIONS_DIR}/${id}/)`, explanation: text };
    const observation = join(gitdir, 'salve', 'observations', `${id}.md`);
    const observed = await readFile(observation, 'utf8').catch(() => null);
    if (observed !== null) return { id, source: `observe-only record ${observation}`, explanation: observed };
  }
  const known = (await git.listBranches({ fs, gitdir })).filter((b) => b.startsWith('salve/'));
  throw new InputError(
    `no remediation ${JSON.stringify(wanted)}: looked for branch salve/${id} (local and remote-tracking), ` +
      `${REMEDIATIONS_DIR}/${id}/ at HEAD and .git/salve/observations/${id}.md` +
      (known.length > 0 ? `; salve branches here: ${known.join(', ')}` : ''),
  );
}

export async function explainCommand(args: string[], _env: Env): Promise<number> {
  const { values, positionals } = parseCommand('explain', args, EXPLAIN_OPTIONS, 1);
  const wanted = positionals[0];
  if (!wanted) throw new InputError("which remediation? pass its id or branch (see 'salve explain --help')");
  const repoDir = repoDirOf(values.repo, process.cwd());
  const found = await findExplanation(repoDir, wanted);
  if (values.json) process.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
  else process.stdout.write(`${terminalText(found.explanation).trimEnd()}\n\n(${found.id}, from ${found.source})\n`);
  return 0;
}
