/**
 * `salve verify`: the change a ref makes to its base branch, verified as the GitHub Action does
 * (engine/verify/change.ts). Keys, policies and settings come from the base branch's commit, never
 * from the ref, the checkout or the working tree; `--key` and `SALVE_TRUSTED_KEY` add keys.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from '../model/errors.ts';
import { bundlesDir } from '../tools/index.ts';
import { resolveBaseBranch } from '../verify/base-branch.ts';
import { type ChangeVerification, isVerified, verifyChange } from '../verify/change.ts';
import { resolveCommit } from '../verify/history.ts';
import { parse, repoDirOf } from './args.ts';

/** A verification that ran and failed: its own exit code, apart from bad input (2) and internal errors (1). */
export const VERIFY_FAILED = 4;

export async function verifyCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const values = parse('verify', args, {
    repo: { type: 'string' },
    ref: { type: 'string', default: 'HEAD' },
    base: { type: 'string' },
    key: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
  });
  const repoDir = repoDirOf(values.repo, process.cwd());
  const ref = values.ref ?? 'HEAD';
  const head = await resolveCommit(repoDir, ref);
  const base = await resolveBaseBranch(repoDir, values.base);
  const keyPems: string[] = [];
  for (const file of values.key ?? []) {
    try {
      keyPems.push(await readFile(resolve(file), 'utf8'));
    } catch (err) {
      throw new ConfigError(`--key ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  if (env.SALVE_TRUSTED_KEY) keyPems.push(env.SALVE_TRUSTED_KEY);
  const result = await verifyChange({
    dir: repoDir,
    base: base.commit,
    head,
    trust: { policies: null, keyPems, keyFiles: [] },
    cacheDir: bundlesDir(env),
  });
  const nothing = result.verdicts.length === 0 && result.scope.length === 0;
  print(result, { ref, base, json: values.json ?? false });
  if (nothing) return 2;
  return isVerified(result) ? 0 : VERIFY_FAILED;
}

function print(
  result: ChangeVerification,
  opts: { ref: string; base: { ref: string; commit: string }; json: boolean },
): void {
  const { verdicts, scope } = result;
  if (opts.json) {
    const rows = verdicts.map(({ proof: _proof, ...v }) => v);
    const ok = (rows.length > 0 || scope.length > 0) && isVerified(result);
    process.stdout.write(
      `${JSON.stringify({ ref: opts.ref, base: opts.base, ok, remediations: rows, scope }, null, 2)}\n`,
    );
    return;
  }
  process.stdout.write(`base  ${opts.base.ref} ${opts.base.commit.slice(0, 12)}\n`);
  if (verdicts.length === 0 && scope.length === 0)
    process.stderr.write(
      `salve verify: no remediation under .salve/remediations/ changed between ${opts.base.ref} and ${opts.ref}\n`,
    );
  for (const v of verdicts) {
    if (v.ok) {
      process.stdout.write(`ok    ${v.id}  ${v.action} ${v.target} mode=${v.mode} key=${v.keyid?.slice(0, 16)}\n`);
    } else {
      process.stdout.write(`FAIL  ${v.id}\n`);
      for (const e of v.errors) process.stdout.write(`      ${e.file}: ${e.reason}\n`);
    }
  }
  if (scope.length > 0) {
    process.stdout.write('FAIL  changes outside any signed remediation\n');
    for (const p of scope) process.stdout.write(`      ${p.file}: ${p.reason}\n`);
  }
}
