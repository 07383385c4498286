/** `salve verify`: every remediation on a ref, re-checked. Keys come from the checkout, never the branch. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from '../model/errors.ts';
import { repoKeyFiles } from '../pipeline/keys.ts';
import { policySettings } from '../pipeline/policy-input.ts';
import { policyDirs } from '../pipeline/run.ts';
import { buildBundle, loadTrustedKeys } from '../policy/index.ts';
import { loadConfig } from '../repo/index.ts';
import { type Verdict, verifyRef } from '../verify/index.ts';
import { parse, repoDirOf } from './args.ts';

export async function verifyCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const values = parse('verify', args, {
    repo: { type: 'string' },
    ref: { type: 'string', default: 'HEAD' },
    key: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
  });
  const repoDir = repoDirOf(values.repo, process.cwd());
  const { config } = await loadConfig(repoDir);
  const keyFiles = [...(values.key ?? []).map((k) => resolve(k)), ...(await repoKeyFiles(repoDir, config))];
  const pems = await Promise.all(keyFiles.map((f) => readFile(f, 'utf8')));
  if (env.SALVE_TRUSTED_KEY) pems.push(env.SALVE_TRUSTED_KEY);
  if (pems.length === 0) {
    throw new InputError(
      `salve verify: no trusted public key: pass --key, set SALVE_TRUSTED_KEY, or commit one matching ${config.keys.join(', ')}`,
    );
  }
  const trustedKeys = await loadTrustedKeys(pems);
  const bundle = await buildBundle(policyDirs(repoDir, config));
  const verdicts = await verifyRef({
    repoDir,
    ref: values.ref ?? 'HEAD',
    bundle,
    trustedKeys,
    settings: policySettings(config),
  });
  print(verdicts, values.ref ?? 'HEAD', values.json ?? false);
  if (verdicts.length === 0) return 2;
  return verdicts.every((v) => v.ok) ? 0 : 1;
}

function print(verdicts: Verdict[], ref: string, json: boolean): void {
  if (json) {
    const rows = verdicts.map(({ proof: _proof, ...v }) => v);
    process.stdout.write(
      `${JSON.stringify({ ref, ok: rows.length > 0 && rows.every((v) => v.ok), remediations: rows }, null, 2)}\n`,
    );
    return;
  }
  if (verdicts.length === 0)
    process.stderr.write(`salve verify: no remediation under .salve/remediations/ on ${ref}\n`);
  for (const v of verdicts) {
    if (v.ok) {
      process.stdout.write(`ok    ${v.id}  ${v.action} ${v.target} mode=${v.mode} key=${v.keyid?.slice(0, 16)}\n`);
    } else {
      process.stdout.write(`FAIL  ${v.id}\n`);
      for (const e of v.errors) process.stdout.write(`      ${e.file}: ${e.reason}\n`);
    }
  }
}
