/**
 * What a change is judged by, read from git objects at the base commit and never from the change,
 * the checkout or the working tree: the `.salve.yaml`, the policies (salve's and the repo's own)
 * and the trusted public keys.
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
import { globToRegExp } from '../repo/glob.ts';
import { loadConfig } from '../repo/index.ts';
import { materialize } from './materialize.ts';

/** Trust the verifier adds on its own authority, beside the keys the base commit holds. */
export interface TrustSources {
  /** Repo-relative directories of the repo's own policies; null means those `.salve.yaml` lists at the base. */
  policies: string[] | null;
  /** PEM public keys the verifier trusts explicitly (a flag, an input, the environment). */
  keyPems: string[];
  /** Repo-relative key files, read from the base commit. */
  keyFiles: string[];
  /** What named `keyFiles`, for the error when one is missing (e.g. `input trusted-keys`). */
  keyFilesFrom?: string;
}

export interface BaseConfig {
  commit: string;
  config: SalveConfig;
  /** Repo-relative policy directories of the repo's own policies at the base commit. */
  policies: string[];
}

export interface BaseView extends BaseConfig {
  bundle: PolicyBundle;
  evaluator: PolicyEvaluator;
  trustedKeys: PublicKeyInfo[];
}

const CONFIG_FILES = ['.salve.yaml', '.salve.yml'];

export async function loadBaseConfig(dir: string, commit: string, sources: TrustSources): Promise<BaseConfig> {
  const tree = await materialize(dir, commit, CONFIG_FILES);
  try {
    const { config } = await loadConfig(tree.dir);
    return { commit, config, policies: sources.policies ?? config.policies };
  } finally {
    await tree.cleanup();
  }
}

/** salve's own configuration: what remediations are judged by, and what shapes what reviewers read. */
export function isOwnConfiguration(path: string, base: Pick<BaseConfig, 'config' | 'policies'>): boolean {
  return (
    CONFIG_FILES.includes(path) ||
    path.startsWith('.salve/') ||
    base.config.keys.some((k) => globToRegExp(k).test(path)) ||
    base.policies.some((p) => path.startsWith(`${p.replace(/^\.\/|\/$/g, '')}/`))
  );
}

export async function loadBaseView(
  dir: string,
  commit: string,
  sources: TrustSources,
  opts: { cacheDir?: string } = {},
): Promise<BaseView> {
  const base = await loadBaseConfig(dir, commit, sources);
  const keyDirs = base.config.keys.map((k) => posix.dirname(k));
  const tree = await materialize(dir, commit, [...CONFIG_FILES, ...base.policies, ...keyDirs, ...sources.keyFiles]);
  try {
    const bundle = await buildBundle([DEFAULT_POLICIES_DIR, ...base.policies.map((p) => join(tree.dir, p))], {
      ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
    });
    const pems = [...sources.keyPems];
    for (const file of [
      ...(await repoKeyFiles(tree.dir, base.config)),
      ...sources.keyFiles.map((f) => join(tree.dir, f)),
    ]) {
      try {
        pems.push(await readFile(file, 'utf8'));
      } catch {
        const rel = file.slice(tree.dir.length + 1);
        const from = sources.keyFilesFrom ? ` (${sources.keyFilesFrom})` : '';
        throw new ConfigError(`trusted key file ${rel}${from} is not in the base commit ${commit.slice(0, 12)}`);
      }
    }
    if (pems.length === 0) {
      throw new ConfigError(
        `no trusted public key: none at the base commit ${commit.slice(0, 12)} matches ${base.config.keys.join(', ')}, and none was given`,
      );
    }
    const trustedKeys = await loadTrustedKeys(pems);
    return { ...base, bundle, evaluator: await loadEvaluator(bundle), trustedKeys };
  } finally {
    await tree.cleanup();
  }
}
