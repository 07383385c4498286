/**
 * `kustomize build` of one overlay, in a scratch directory that holds only the files the build reads
 * (copied as regular files from a commit, or from a directory), cached by the digest of those files.
 * kustomize never sees a working tree, a symbolic link, or anything outside the repository.
 */
import { LRUCache } from 'lru-cache';
import { parseManifests } from '../check/manifests.ts';
import { CheckError, ConfigError } from '../model/errors.ts';
import type { K8sObject } from '../model/remediation.ts';
import {
  formatBytes,
  formatDuration,
  limitsOf,
  locateKustomize,
  runTool,
  type Tool,
  ToolError,
} from '../tools/index.ts';
import { type OverlayInputs, overlayInputs } from './overlay-inputs.ts';
import { materialize } from './scratch.ts';
import { type RepoSource, treeOf } from './source.ts';
import type { RepoTree } from './tree.ts';
import { unsupportedFeature } from './unsupported.ts';

export interface BuildResult {
  /** Rendered objects: shared by every caller of a cached build, so treat them as read-only. */
  objects: K8sObject[];
  yaml: string;
}

export interface BuildCache {
  readonly entries: {
    get(key: string): Promise<BuildResult> | undefined;
    set(key: string, value: Promise<BuildResult>): unknown;
    delete(key: string): boolean;
  };
  /** Builds that ran kustomize, and builds answered from the cache. */
  readonly stats: { builds: number; hits: number };
  /**
   * Called as each kustomize child of a build this cache holds is started: work the caller has to
   * do anyway can then run while the child does (the CLI checks its signing key then).
   */
  readonly started?: () => void;
}

/**
 * Builds keyed by overlay and the digest of every file it reads (git object ids from a commit), so
 * an entry is right for any commit where those files are the same. One per pipeline run, or one
 * per process given `max` (the server's, across incidents and clones: least recently used first out).
 */
export function createBuildCache(options: { max?: number; started?: () => void } = {}): BuildCache {
  const entries = options.max
    ? new LRUCache<string, Promise<BuildResult>>({ max: options.max })
    : new Map<string, Promise<BuildResult>>();
  return { entries, stats: { builds: 0, hits: 0 }, ...(options.started ? { started: options.started } : {}) };
}

export interface BuildOptions {
  cache?: BuildCache;
  /**
   * A longer-lived cache (the server's) for builds that read only the repository: one that fetches
   * a remote resource may render differently next time, and stays in `cache`.
   */
  shared?: BuildCache;
  kustomize?: Tool;
  /** Hosts remote resources may come from (`.salve.yaml` kustomize.remoteHosts); none by default. */
  remoteHosts?: readonly string[];
  /** Prefix of the scratch directory's name (`salve-shadow-` for a remediation's "after" build). */
  scratchPrefix?: string;
}

/** The first lines of kustomize's stderr that say something: its deprecation warnings are left out. */
function firstLines(text: string, count: number): string {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '' && !l.startsWith('# Warning:'))
    .slice(0, count)
    .join('\n');
}

function boundsError(err: ToolError, dir: string, inputs: OverlayInputs, kustomize: Tool): ConfigError {
  const limits = limitsOf(kustomize);
  if (err.code === 'tool-timeout') {
    const fetching = inputs.remotes.length > 0 ? `; it fetches ${inputs.remotes.map((r) => r.url).join(', ')}` : '';
    return new ConfigError(
      `kustomize build of overlay ${dir} did not finish within ${formatDuration(limits.timeoutMs)}${fetching}`,
      { code: 'kustomize-timeout', cause: err },
    );
  }
  if (err.code === 'tool-memory') {
    return new ConfigError(
      `kustomize build of overlay ${dir} ran out of its memory ceiling of ${formatBytes(limits.memoryBytes)}`,
      { code: 'kustomize-memory', cause: err },
    );
  }
  return new ConfigError(
    `kustomize build of overlay ${dir} printed more than ${formatBytes(limits.outputBytes)} of manifests`,
    { code: 'kustomize-output', cause: err },
  );
}

async function run(
  tree: RepoTree,
  overlay: string,
  inputs: OverlayInputs,
  kustomize: Tool,
  prefix: string,
  started?: () => void,
): Promise<BuildResult> {
  const dir = overlay === '' ? '.' : overlay;
  const scratch = await materialize(tree, inputs.files, prefix);
  try {
    // `kubectl kustomize <dir>` takes no `build` verb.
    const args = kustomize.prefix.length > 0 ? [dir] : ['build', dir];
    let yaml: string;
    try {
      const building = runTool(kustomize, args, { cwd: scratch.dir });
      started?.();
      ({ stdout: yaml } = await building);
    } catch (err) {
      if (!(err instanceof ToolError) || err.code === 'tool-missing') throw err;
      if (err.code !== 'tool-failed') throw boundsError(err, dir, inputs, kustomize);
      const detail = firstLines((err.stderr || err.message).split(`${scratch.dir}/`).join(''), 5);
      // A feature salve chooses not to use is named with its reason, wherever the failure is shown.
      const feature = unsupportedFeature(detail);
      throw new CheckError(`kustomize build of overlay ${dir} failed:\n${detail}${feature ? `\n${feature.why}` : ''}`, {
        code: 'kustomize-build-failed',
        cause: err,
      });
    }
    return { objects: parseManifests(yaml, `kustomize build ${dir}`), yaml };
  } finally {
    await scratch.cleanup();
  }
}

/**
 * Renders a repo-relative overlay of a commit (or a directory). A failing build is CheckError
 * `kustomize-build-failed`; a build past its time, memory or output bound is ConfigError
 * `kustomize-timeout`, `kustomize-memory` or `kustomize-output`; a reference outside the repository
 * or to a host not allowed is ConfigError `outside-repo` or `remote-resource`.
 */
export async function buildOverlay(
  source: RepoSource,
  overlay: string,
  options: BuildOptions = {},
): Promise<BuildResult> {
  const kustomize = options.kustomize ?? locateKustomize();
  const path = overlay === '.' ? '' : overlay;
  const remoteHosts = options.remoteHosts ?? [];
  const tree = treeOf(source);
  const inputs = await overlayInputs(tree, path, { remoteHosts });
  const prefix = options.scratchPrefix ?? 'salve-build-';
  const cache = (inputs.remotes.length === 0 ? options.shared : undefined) ?? options.cache;
  if (!cache) return run(tree, path, inputs, kustomize, prefix);
  const key = `${path}\0${inputs.digest}`;
  const hit = cache.entries.get(key);
  if (hit) {
    cache.stats.hits++;
    return hit;
  }
  cache.stats.builds++;
  const pending = run(tree, path, inputs, kustomize, prefix, cache.started);
  cache.entries.set(key, pending);
  pending.catch(() => cache.entries.delete(key));
  return pending;
}
