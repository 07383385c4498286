/** A live target (cluster, namespace, kind, name) to the one overlay that renders it. */
import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';
import { placeObjects } from '../check/identity.ts';
import type { SalveConfig } from '../config/schema.ts';
import { ResolveError, SalveError } from '../model/errors.ts';
import type { Target } from '../model/index.ts';
import type { ArgoApplication, K8sObject, OverlayResolution } from '../model/remediation.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { Tool } from '../tools/index.ts';
import { discoverApplications } from './applications.ts';
import { type BuildCache, buildOverlay } from './build-overlay.ts';
import type { KeptNames } from './commit-index.ts';
import { clusterAliases, deploysTo, environmentFor } from './environment.ts';
import { mayRender, type NamesCache, type OverlayNames, overlayNames } from './may-render.ts';
import { KUSTOMIZATION_FILES } from './overlay-inputs.ts';
import { recording, stillHolds } from './read-set.ts';
import { type RepoSource, treeOf } from './source.ts';
import { resolvePath } from './tree.ts';
import { unsupportedFeature } from './unsupported.ts';

export interface ResolveContext {
  config: SalveConfig;
  cache?: BuildCache;
  /** A longer-lived cache of builds that read only the repository (see BuildOptions.shared). */
  shared?: BuildCache;
  kustomize?: Tool;
  /** Applications already discovered (saves a walk of the repo). */
  applications?: readonly ArgoApplication[];
  log?: Logger;
  /** Names read from overlays' files, kept across resolutions (a server's). */
  names?: NamesCache;
  /**
   * Names by overlay path, kept across runs (commit-index.ts): used when they hold for the commit
   * resolved on, and filled as overlays are read.
   */
  commitNames?: Map<string, KeptNames>;
}

type Outcome = 'match' | 'no-object' | 'not-named' | 'app-of-apps' | 'not-kustomize' | { failed: string };

const ARGO_KINDS = new Set(['Application', 'ApplicationSet', 'AppProject']);

async function hasKustomization(source: RepoSource, path: string): Promise<boolean> {
  for (const name of KUSTOMIZATION_FILES) {
    if ((await resolvePath(treeOf(source), path ? `${path}/${name}` : name))?.kind === 'file') return true;
  }
  return false;
}

/** Per-overlay failures listed among the overlays considered; anything else (a timeout) stops resolution. */
const OVERLAY_FAILURES = new Set(['remote-resource', 'outside-repo', 'symlink-outside', 'file-too-large']);

function renders(objects: readonly K8sObject[], target: Target, app: ArgoApplication): boolean {
  return placeObjects(objects, app.namespace).some(
    (o) => o.kind === target.kind && o.metadata.name === target.name && o.metadata.namespace === target.namespace,
  );
}

/** An overlay's names: kept ones that still hold for this tree, else read (and kept, with what was read). */
async function namesOf(source: RepoSource, overlay: string, ctx: ResolveContext): Promise<OverlayNames> {
  const tree = treeOf(source);
  const kept = ctx.commitNames?.get(overlay);
  if (kept && (kept.current || (await stillHolds(tree, kept.reads)))) {
    kept.current = true;
    return kept.names;
  }
  const read = ctx.commitNames ? recording(tree) : null;
  const names = await overlayNames(read?.tree ?? tree, overlay, {
    remoteHosts: ctx.config.kustomize.remoteHosts,
    ...(ctx.names ? { cache: ctx.names } : {}),
  });
  const reads = await read?.reads();
  if (reads) ctx.commitNames?.set(overlay, { names, reads, current: true });
  else ctx.commitNames?.delete(overlay);
  return names;
}

async function examine(
  source: RepoSource,
  app: ArgoApplication,
  target: Target,
  ctx: ResolveContext,
): Promise<Outcome> {
  if (!(await hasKustomization(source, app.path))) return 'not-kustomize';
  const names = await namesOf(source, app.path, ctx);
  if (!mayRender(names, target.name)) return names?.argoOnly ? 'app-of-apps' : 'not-named';
  try {
    const options = {
      ...(ctx.cache ? { cache: ctx.cache } : {}),
      ...(ctx.shared ? { shared: ctx.shared } : {}),
      ...(ctx.kustomize ? { kustomize: ctx.kustomize } : {}),
      remoteHosts: ctx.config.kustomize.remoteHosts,
    };
    const { objects } = await buildOverlay(source, app.path, options);
    const argoOnly = objects.every((o) => o.apiVersion.startsWith('argoproj.io/') && ARGO_KINDS.has(o.kind));
    if (argoOnly) return 'app-of-apps';
    return renders(objects, target, app) ? 'match' : 'no-object';
  } catch (err) {
    if (err instanceof SalveError && err.code === 'kustomize-build-failed')
      return { failed: `kustomize build failed: ${err.message.split('\n')[1] ?? err.message}` };
    if (err instanceof SalveError && OVERLAY_FAILURES.has(err.code)) return { failed: `not built: ${err.message}` };
    throw err;
  }
}

function describe(app: ArgoApplication, outcome: Outcome, target: Target): string {
  const where = `${app.path || '.'} (Application ${app.name} in ${app.file}, namespace ${app.namespace || '(none)'})`;
  if (outcome === 'match') return `${where}: renders it`;
  if (outcome === 'no-object') return `${where}: no ${target.kind} ${target.name} in namespace ${target.namespace}`;
  if (outcome === 'not-named') return `${where}: not built, none of its resources is named a part of ${target.name}`;
  if (typeof outcome === 'object') {
    const feature = unsupportedFeature(outcome.failed);
    return `${where}: ${outcome.failed}${feature && !outcome.failed.includes(feature.why) ? ` (${feature.why})` : ''}`;
  }
  return `${where}: ${outcome}`;
}

/**
 * Resolves a target to exactly one overlay among the Applications deployed to its cluster.
 * App-of-apps roots and non-kustomize sources are skipped; zero or several matches is a ResolveError
 * listing every overlay considered.
 */
export async function resolveOverlay(
  source: RepoSource,
  target: Target,
  ctx: ResolveContext,
): Promise<OverlayResolution> {
  const tree = treeOf(source);
  const apps = ctx.applications ?? (await discoverApplications(tree, ctx.config, ctx.log ? { log: ctx.log } : {}));
  const aliases = clusterAliases(ctx.config, target.cluster);
  const candidates = apps.filter((app) => deploysTo(app, aliases));
  const what = `${target.kind} ${target.namespace}/${target.name} on cluster ${target.cluster}`;
  if (candidates.length === 0) {
    const known = [...new Set(apps.map((a) => a.cluster))].sort().join(', ') || 'none';
    throw new ResolveError(
      `${what} resolves to no overlay: no Argo CD Application is deployed to that cluster (${apps.length} applications found; their clusters: ${known})`,
    );
  }
  // Applications deployed to the target's namespace first: on a cluster with hundreds of
  // Applications that is usually one build instead of hundreds. The rest are built only when none
  // of those renders the target. Builds run in parallel, one per core.
  const limit = pLimit(Math.max(1, availableParallelism()));
  const examineAll = (apps: ArgoApplication[]) =>
    Promise.all(apps.map((app) => limit(async () => ({ app, outcome: await examine(tree, app, target, ctx) }))));
  const near = candidates.filter((app) => app.namespace === target.namespace);
  const far = candidates.filter((app) => app.namespace !== target.namespace);
  let outcomes = await examineAll(near);
  if (!outcomes.some(({ outcome }) => outcome === 'match')) outcomes = [...outcomes, ...(await examineAll(far))];
  const built = outcomes.filter(
    ({ outcome }) => outcome !== 'not-kustomize' && outcome !== 'app-of-apps' && outcome !== 'not-named',
  );
  const matches = built.filter(({ outcome }) => outcome === 'match');
  const first = matches[0];
  if (matches.length === 1 && first) {
    return {
      overlay: first.app.path,
      application: first.app,
      environment: environmentFor(ctx.config, target.cluster, first.app),
      considered: [...new Set(built.map(({ app }) => app.path))],
    };
  }
  const verdict =
    matches.length === 0 ? 'resolves to no overlay' : `is ambiguous: ${matches.length} overlays render it`;
  const lines = outcomes.map(({ app, outcome }) => `  - ${describe(app, outcome, target)}`);
  throw new ResolveError(`${what} ${verdict}; overlays considered:\n${lines.join('\n')}`, {
    code: matches.length === 0 ? 'unresolved-target' : 'ambiguous-target',
  });
}
