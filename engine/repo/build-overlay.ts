/** `kustomize build` of one overlay, cached by the digest of the files it reads. */
import { resolve } from 'node:path';
import { parseManifests } from '../check/manifests.ts';
import { CheckError } from '../model/errors.ts';
import type { K8sObject } from '../model/remediation.ts';
import { locateKustomize, runTool, type Tool, ToolError } from '../tools/index.ts';
import { overlayDigest } from './overlay-inputs.ts';

export interface BuildResult {
  /** Rendered objects: shared by every caller of a cached build, so treat them as read-only. */
  objects: K8sObject[];
  yaml: string;
}

export interface BuildCache {
  readonly entries: Map<string, Promise<BuildResult>>;
  /** Builds that ran kustomize, and builds answered from the cache. */
  readonly stats: { builds: number; hits: number };
}

/** One cache per pipeline run (or per process): keyed by overlay directory and input digest. */
export function createBuildCache(): BuildCache {
  return { entries: new Map(), stats: { builds: 0, hits: 0 } };
}

export interface BuildOptions {
  cache?: BuildCache;
  kustomize?: Tool;
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

async function run(repoDir: string, overlay: string, kustomize: Tool): Promise<BuildResult> {
  const dir = overlay === '' ? '.' : overlay;
  // `kubectl kustomize <dir>` takes no `build` verb.
  const args = kustomize.prefix.length > 0 ? [dir] : ['build', dir];
  let yaml: string;
  try {
    ({ stdout: yaml } = await runTool(kustomize, args, { cwd: repoDir }));
  } catch (err) {
    if (!(err instanceof ToolError) || err.code === 'tool-missing') throw err;
    const detail = firstLines(err.stderr || err.message, 5);
    throw new CheckError(`kustomize build of overlay ${dir} failed:\n${detail}`, {
      code: 'kustomize-build-failed',
      cause: err,
    });
  }
  return { objects: parseManifests(yaml, `kustomize build ${dir}`), yaml };
}

/** Renders a repo-relative overlay directory. A failing build is CheckError `kustomize-build-failed`. */
export async function buildOverlay(repoDir: string, overlay: string, options: BuildOptions = {}): Promise<BuildResult> {
  const kustomize = options.kustomize ?? locateKustomize();
  const cache = options.cache;
  if (!cache) return run(repoDir, overlay, kustomize);
  const dir = resolve(repoDir, overlay);
  const key = `${dir}\0${await overlayDigest(dir)}`;
  const hit = cache.entries.get(key);
  if (hit) {
    cache.stats.hits++;
    return hit;
  }
  cache.stats.builds++;
  const pending = run(repoDir, overlay, kustomize);
  cache.entries.set(key, pending);
  pending.catch(() => cache.entries.delete(key));
  return pending;
}
