/**
 * What a pull request is judged by, read from its base commit and never from the branch: the
 * `.salve.yaml`, the policies (salve's and the repo's own) and the trusted public keys.
 */
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { SalveConfig } from '../config/schema.ts';
import { ConfigError } from '../model/errors.ts';
import { DEFAULT_POLICIES_DIR } from '../pipeline/assets.ts';
import { repoKeyFiles } from '../pipeline/keys.ts';
import {
  buildBundle,
  loadEvaluator,
  loadTrustedKeys,
  type PolicyBundle,
  type PolicyEvaluator,
  type PublicKeyInfo,
} from '../policy/index.ts';
import { loadConfig } from '../repo/index.ts';
import { materialize } from '../verify/materialize.ts';
import type { ActionInputs } from './inputs.ts';

export interface BaseView {
  commit: string;
  config: SalveConfig;
  /** Repo-relative policy directories of the repo's own policies at the base commit. */
  policies: string[];
  bundle: PolicyBundle;
  evaluator: PolicyEvaluator;
  trustedKeys: PublicKeyInfo[];
}

const CONFIG_FILES = ['.salve.yaml', '.salve.yml'];

export async function loadBaseView(workspace: string, commit: string, inputs: ActionInputs): Promise<BaseView> {
  const first = await materialize(workspace, commit, CONFIG_FILES);
  let config: SalveConfig;
  try {
    config = (await loadConfig(first.dir)).config;
  } finally {
    await first.cleanup();
  }
  const policies = inputs.policies ?? config.policies;
  const keyDirs = config.keys.map((k) => posix.dirname(k));
  const tree = await materialize(workspace, commit, [
    ...CONFIG_FILES,
    ...policies,
    ...keyDirs,
    ...inputs.trustedKeyFiles,
  ]);
  try {
    const bundle = await buildBundle([DEFAULT_POLICIES_DIR, ...policies.map((p) => join(tree.dir, p))], {
      cacheDir: join(workspace, '.git', 'salve', 'bundles'),
    });
    const pems = [...inputs.trustedKeyPems];
    for (const file of [
      ...(await repoKeyFiles(tree.dir, config)),
      ...inputs.trustedKeyFiles.map((f) => join(tree.dir, f)),
    ]) {
      try {
        pems.push(await readFile(file, 'utf8'));
      } catch {
        const rel = file.slice(tree.dir.length + 1);
        throw new ConfigError(
          `trusted key file ${rel} (input trusted-keys) is not in the base commit ${commit.slice(0, 12)}`,
        );
      }
    }
    const trustedKeys = await loadTrustedKeys(pems);
    return { commit, config, policies, bundle, evaluator: await loadEvaluator(bundle), trustedKeys };
  } finally {
    await tree.cleanup();
  }
}
