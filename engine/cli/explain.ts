/**
 * `salve explain <remediation-id|branch>`: the explanation of a remediation that exists, from the
 * first place that has it: a branch (named, or the salve branch whose commit carries the id; local
 * first, then remote-tracking), HEAD (merged), or the observe-only records under
 * .git/salve/observations/. A unique prefix of an id (a short fingerprint) is enough.
 */
import fs from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { InputError } from '../model/errors.ts';
import { gitDirOf } from '../publish/git-dir.ts';
import { REMEDIATION_TRAILER } from '../publish/ownership.ts';
import { REMEDIATIONS_DIR, readRemediations } from '../publish/read.ts';
import { parseCommand, repoDirOf } from './args.ts';
import { type Env, EXPLAIN_OPTIONS } from './commands.ts';
import { terminalText } from './output.ts';

interface Found {
  id: string;
  source: string;
  explanation: string;
}

const TRAILER = new RegExp(`^${REMEDIATION_TRAILER}: (\\S+)$`, 'm');

async function resolveRef(gitdir: string, ref: string): Promise<string | null> {
  try {
    return await git.resolveRef({ fs, gitdir, ref });
  } catch {
    return null;
  }
}

/** Every salve branch, local first then remote-tracking, with the remediation id its commit carries. */
async function salveBranches(gitdir: string): Promise<Array<{ ref: string; name: string; id: string | null }>> {
  const refs = (await git.listBranches({ fs, gitdir }))
    .filter((b) => b.startsWith('salve/'))
    .map((b) => `refs/heads/${b}`);
  for (const { remote } of await git.listRemotes({ fs, gitdir }))
    for (const b of await git.listBranches({ fs, gitdir, remote }))
      if (b.startsWith('salve/')) refs.push(`refs/remotes/${remote}/${b}`);
  const out = [];
  for (const ref of refs) {
    const oid = await resolveRef(gitdir, ref);
    const message = oid ? (await git.readCommit({ fs, gitdir, oid })).commit.message : '';
    out.push({ ref, name: ref.replace(/^refs\/(heads|remotes)\//, ''), id: TRAILER.exec(message)?.[1] ?? null });
  }
  return out;
}

/** The one id among `ids` equal to `wanted`, else the one starting with it; null when none or several. */
function pick(ids: readonly string[], wanted: string): string | null {
  if (ids.includes(wanted)) return wanted;
  const matches = [...new Set(ids.filter((id) => id.startsWith(wanted)))];
  return matches.length === 1 ? (matches[0] as string) : null;
}

async function onRef(dir: string, ref: string, name: string, id: string | null): Promise<Found | null> {
  const records = await readRemediations(dir, ref);
  const record = records.find((r) => r.id === id) ?? (records.length === 1 ? records[0] : undefined);
  const text = record?.files['explanation.md'];
  return record && text !== undefined ? { id: record.id, source: `branch ${name}`, explanation: text } : null;
}

export async function findExplanation(dir: string, wanted: string): Promise<Found> {
  const gitdir = await gitDirOf(dir);
  const branches = await salveBranches(gitdir);
  // A branch named as such: its own remediation.
  for (const ref of [
    `refs/heads/${wanted}`,
    ...branches.filter((b) => b.name.endsWith(`/${wanted}`)).map((b) => b.ref),
  ]) {
    if (!(await resolveRef(gitdir, ref))) continue;
    const branch = branches.find((b) => b.ref === ref);
    const found = await onRef(dir, ref, ref.replace(/^refs\/(heads|remotes)\//, ''), branch?.id ?? null);
    if (found) return found;
  }
  // An id (or its prefix) that a salve branch's commit carries.
  const id = pick(
    branches.flatMap((b) => (b.id ? [b.id] : [])),
    wanted,
  );
  const holder = id ? branches.find((b) => b.id === id) : undefined;
  if (holder) {
    const found = await onRef(dir, holder.ref, holder.name, holder.id);
    if (found) return found;
  }
  // Merged into HEAD, or an observe-only record.
  const merged = await readRemediations(dir, 'HEAD');
  const mergedId = pick(
    merged.map((r) => r.id),
    wanted,
  );
  const text = merged.find((r) => r.id === mergedId)?.files['explanation.md'];
  if (mergedId && text !== undefined)
    return { id: mergedId, source: `HEAD (${REMEDIATIONS_DIR}/${mergedId}/)`, explanation: text };
  const observations = join(gitdir, 'salve', 'observations');
  const observedIds = (await readdir(observations).catch(() => []))
    .filter((f) => f.endsWith('.md'))
    .map((f) => f.slice(0, -3));
  const observedId = pick(observedIds, wanted);
  if (observedId) {
    const file = join(observations, `${observedId}.md`);
    return { id: observedId, source: `observe-only record ${file}`, explanation: await readFile(file, 'utf8') };
  }
  const known = branches.map((b) => (b.id ? `${b.id} (${b.name})` : b.name));
  throw new InputError(
    `no remediation ${JSON.stringify(wanted)}: looked at the salve branches (local and remote-tracking), ` +
      `${REMEDIATIONS_DIR}/ at HEAD and .git/salve/observations/` +
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
