/** The demo's "merge button": a real merge commit of a published branch on main, pushed to the bare remote. */
import { InputError } from '../model/errors.ts';
import { locateGit, runTool } from '../tools/index.ts';

const IDENTITY = ['-c', 'user.name=salve demo reviewer', '-c', 'user.email=reviewer@example.org'];

async function git(dir: string, args: string[]): Promise<string> {
  const r = await runTool(locateGit(), ['-C', dir, ...IDENTITY, ...args], { allowFailure: true });
  if (r.code !== 0) throw new InputError(`git ${args[0]} in the demo repo failed: ${r.stderr.trim().slice(0, 300)}`);
  return r.stdout.trim();
}

/** Merges `branch` into main with a merge commit (as GitHub's merge button does) and pushes it. Returns its sha. */
export async function mergeIntoRemote(dir: string, branch: string, pull: number): Promise<string> {
  await git(dir, ['checkout', '--quiet', 'main']);
  await git(dir, ['merge', '--no-ff', '--quiet', '-m', `Merge pull request #${pull} from ${branch}`, branch]);
  await git(dir, ['push', '--quiet', 'origin', 'main']);
  return git(dir, ['rev-parse', 'HEAD']);
}
