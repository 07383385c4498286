/**
 * `salve init`: a config repo made ready for salve. Writes `.salve.yaml` (derived from the Argo CD
 * Applications found), an ed25519 proof key pair (private half outside the repo, mode 0600; public
 * half under .salve/keys/) and the verification workflow. Everything is checked before anything is
 * written, and nothing is overwritten without --force.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SalveConfig } from '../config/schema.ts';
import { InputError } from '../model/errors.ts';
import { counted } from '../model/words.ts';
import { PROJECT_ROOT } from '../pipeline/assets.ts';
import { headOf } from '../pipeline/git.ts';
import { generateEphemeralKey, privateKeyPem, publicKeyPem } from '../policy/keys.ts';
import { discoverApplications } from '../repo/index.ts';
import { parse, repoDirOf } from './args.ts';
import { type Env, INIT_OPTIONS } from './commands.ts';
import { deriveSettings, renderConfig } from './init-config.ts';
import { findSigningKey, keyStoreDir } from './keys.ts';

export const WORKFLOW_FILE = '.github/workflows/salve-verify.yml';

/** The example workflow, aimed at the repo's base branch. */
async function workflowText(baseBranch: string): Promise<string> {
  const example = await readFile(join(PROJECT_ROOT, 'examples', 'workflows', 'salve-verify.yml'), 'utf8');
  return example
    .replace(
      /^# Copy to .*\n(# .*\n)*/,
      '# Written by salve init. On every pull request: your policy tests, and each salve remediation\n# re-verified. Make the "salve verify" check required on the base branch so nothing unverified merges.\n',
    )
    .replace('branches: [main]', `branches: [${JSON.stringify(baseBranch)}]`)
    .replace(/^ *# Your own Rego.*\n *policies: .*\n/m, '');
}

function inside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

async function write(path: string, text: string, mode?: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true, ...(mode ? { mode: 0o700 } : {}) });
  await writeFile(path, text, mode ? { mode } : {});
  if (mode) await chmod(path, mode);
}

export async function initCommand(args: string[], env: Env): Promise<number> {
  const values = parse('init', args, INIT_OPTIONS);
  const repoDir = repoDirOf(values.repo, process.cwd());
  const head = await headOf(repoDir);
  const keyDir = values['key-dir'] ? resolve(values['key-dir']) : keyStoreDir(env);
  if (inside(keyDir, repoDir))
    throw new InputError(`--key-dir ${keyDir} is inside the repo: the private key must stay outside it`);

  const configFile = join(repoDir, '.salve.yaml');
  const workflowFile = join(repoDir, WORKFLOW_FILE);
  const existing = [configFile, join(repoDir, '.salve.yml'), workflowFile].filter((f) => existsSync(f));
  if (existing.length > 0 && !values.force)
    throw new InputError(
      `${existing.map((f) => relative(repoDir, f)).join(' and ')} already exist${existing.length === 1 ? 's' : ''}: pass --force to overwrite`,
    );

  const apps = await discoverApplications(repoDir, SalveConfig.parse({}));
  const config = renderConfig(deriveSettings(apps), apps.length);
  const parsed = SalveConfig.parse(parseYaml(config));
  const workflow = await workflowText(head.branch);

  // The proof key: the one this machine already holds for a key the repo trusts, or a new pair.
  const held = await findSigningKey(repoDir, parsed, { ...env, SALVE_SIGNING_KEY: '', SALVE_SIGNING_KEY_FILE: '' });
  const key = held?.key ?? generateEphemeralKey();
  const privatePath = join(keyDir, `${key.keyid}.pem`);
  const publicRel = `.salve/keys/proof-${key.keyid.slice(0, 12)}.pub`;
  if (!held) {
    await write(privatePath, privateKeyPem(key), 0o600);
    await write(join(repoDir, publicRel), publicKeyPem(key));
  }
  await write(configFile, config);
  await write(workflowFile, workflow);

  const envs = deriveSettings(apps).environments;
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(`salve init: ${repoDir}`);
  out(
    `  wrote .salve.yaml: ${counted(apps.length, 'Argo CD Application')}, environments ${envs.map((e) => `${e.name} (${e.tier})`).join(', ') || 'none'}`,
  );
  out(`  wrote ${WORKFLOW_FILE} (pull requests to ${head.branch})`);
  if (held) out(`  proof key: this machine already holds ${held.source} for a key the repo trusts; kept it`);
  else {
    out(`  wrote ${publicRel}: the public half of a new ed25519 proof key`);
    out(`  wrote ${privatePath} (mode 0600): its private half, outside the repo; salve plan finds it there`);
  }
  out();
  out('Commit them:');
  out(`  git add .salve.yaml ${held ? '' : `${publicRel} `}${WORKFLOW_FILE} && git commit -m "Set up salve"`);
  out();
  out('Commit signing (OpenPGP): salve signs its commits with the key in SALVE_GPG_PRIVATE_KEY_FILE');
  out('(or SALVE_GPG_PRIVATE_KEY; SALVE_GPG_PASSPHRASE when it has one). Point it at an existing key, or make one:');
  out("  gpg --quick-generate-key 'salve <salve@example.org>' ed25519 sign never");
  out('  (umask 077; gpg --armor --export-secret-keys salve@example.org > ~/.config/salve/commit-signing.asc)');
  out('  export SALVE_GPG_PRIVATE_KEY_FILE=~/.config/salve/commit-signing.asc');
  out('Add the public half (gpg --armor --export salve@example.org) to the committing account on your forge, so');
  out("its commits show as verified. The commit author defaults to the key's user id.");
  out();
  out('Next: salve validate, then salve plan --dry-run --signal <alertmanager-payload.json>');
  return 0;
}
