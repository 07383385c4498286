/**
 * Argo CD `Application` manifests in the config repo: which overlay goes to which cluster. Read
 * from a commit (or a directory): a candidate file larger than 4 MiB, or a link out of the
 * repository, is skipped with a warning; an alias bomb is a ConfigError naming the file; an
 * Application whose path leaves the repository is a ConfigError (Argo CD refuses it too).
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { SalveConfig } from '../config/schema.ts';
import { ConfigError, quote } from '../model/errors.ts';
import type { ApplicationSync, ArgoApplication } from '../model/remediation.ts';
import type { Logger } from '../telemetry/logger.ts';
import { toJsBounded } from './bounded-yaml.ts';
import { globMatcher } from './glob.ts';
import { resolveInside } from './paths.ts';
import { type RepoSource, treeOf } from './source.ts';
import { type RepoTree, readManyText, resolvePath } from './tree.ts';

/** Application manifests are small; an app-of-apps file with hundreds of them is under 1 MiB. */
export const MAX_APPLICATION_FILE_BYTES = 4 * 1024 * 1024;

function tooLarge(log: Logger | undefined, file: string, bytes: number): void {
  log?.warn(
    { file, bytes, limit: MAX_APPLICATION_FILE_BYTES },
    'file among the Applications is too large to be an Application manifest; not read',
  );
}

type Json = Record<string, unknown>;

function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** `spec.source`, or the first of `spec.sources` with a path (multi-source apps). */
function sourceOf(spec: Json): Json | null {
  const single = record(spec.source);
  if (text(single.path)) return single;
  const many = Array.isArray(spec.sources) ? spec.sources.map(record) : [];
  return many.find((s) => text(s.path)) ?? null;
}

/** Normalises `./apps/x/` to `apps/x`; `.` and `` are the repo root. */
export function normalisePath(path: string): string {
  const clean = posix
    .normalize(path.replaceAll('\\', '/'))
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '');
  return clean === '.' ? '' : clean;
}

function toApplication(doc: Json, file: string): ArgoApplication | null {
  if (doc.apiVersion !== 'argoproj.io/v1alpha1' || doc.kind !== 'Application') return null;
  const spec = record(doc.spec);
  const source = sourceOf(spec);
  const name = text(record(doc.metadata).name);
  if (!source || !name) return null;
  const destination = record(spec.destination);
  const path = text(source.path);
  if (resolveInside('', path.replaceAll('\\', '/')) === null) {
    throw new ConfigError(
      `${file}: Application ${quote(name)}: spec.source.path ${quote(path)} points outside the repository; salve (like Argo CD) renders only paths inside it`,
      { code: 'outside-repo' },
    );
  }
  return {
    name,
    file,
    cluster: text(destination.name) || text(destination.server),
    namespace: text(destination.namespace),
    path: normalisePath(path),
    repoURL: text(source.repoURL),
    sync: syncOf(record(spec.syncPolicy)),
  };
}

/**
 * `syncPolicy.automated` present (even `{}`) and not `enabled: false` means Argo CD syncs by itself;
 * it prunes resources git no longer has only with `automated.prune: true`.
 */
function syncOf(policy: Json): ApplicationSync {
  const automated = policy.automated;
  if (automated === undefined || automated === null || typeof automated !== 'object' || Array.isArray(automated))
    return { automated: false, prune: false };
  const auto = automated as Json;
  if (auto.enabled === false) return { automated: false, prune: false };
  return { automated: true, prune: auto.prune === true };
}

/** Applications declared in one file's YAML documents; documents that do not parse are skipped. */
export function applicationsIn(yaml: string, file: string): ArgoApplication[] {
  if (!yaml.includes('argoproj.io/v1alpha1')) return [];
  const apps: ArgoApplication[] = [];
  const docs = parseAllDocuments(yaml);
  for (const [i, doc] of docs.entries()) {
    if (doc.errors.length > 0) continue;
    const app = toApplication(record(toJsBounded(doc, docs.length > 1 ? `${file} (document ${i + 1})` : file)), file);
    if (app) apps.push(app);
  }
  return apps;
}

/** The YAML files `config.applications` matches, sorted: where Applications are read from. */
async function applicationFiles(tree: RepoTree, config: Pick<SalveConfig, 'applications'>): Promise<string[]> {
  const matches = globMatcher(config.applications);
  return (await tree.files()).map((f) => f.path).filter((f) => /\.ya?ml$/.test(f) && matches(f));
}

/** Bumped when what discovery reads from a file changes: a digest then names nothing kept before. */
const DISCOVERY_VERSION = 1;

/**
 * A digest of everything discovery reads: the globs, and each matched file's path with the content
 * id of what it resolves to (a link's target, not the link). Equal digests discover the same
 * Applications, whichever commits they come from; no file's text is read to compute it.
 */
export async function applicationsDigest(
  source: RepoSource,
  config: Pick<SalveConfig, 'applications'>,
): Promise<string> {
  const tree = treeOf(source);
  const hash = createHash('sha256').update(`salve-applications ${DISCOVERY_VERSION}\0`);
  hash.update(`${JSON.stringify(config.applications)}\0`);
  for (const file of await applicationFiles(tree, config)) {
    let id: string;
    try {
      const stat = await resolvePath(tree, file);
      id = stat?.kind === 'file' ? `${stat.size}:${await tree.contentId(stat.path)}` : 'none';
    } catch {
      id = 'outside'; // a link out of the repository: skipped by discovery, as here
    }
    hash.update(`${file}\0${id}\0`);
  }
  return hash.digest('hex');
}

/**
 * Every Argo CD Application with a source path in files matching `config.applications`, sorted by
 * name, then file. Helm chart sources (no path) are left out.
 */
export async function discoverApplications(
  source: RepoSource,
  config: Pick<SalveConfig, 'applications'>,
  options: { log?: Logger } = {},
): Promise<ArgoApplication[]> {
  const tree = treeOf(source);
  const candidates = await applicationFiles(tree, config);
  const texts = await readManyText(tree, candidates, MAX_APPLICATION_FILE_BYTES, (file, reason, detail) => {
    if (reason === 'too-large') tooLarge(options.log, file, detail.bytes ?? 0);
    else
      options.log?.warn(
        { file, reason: detail.message },
        'file among the Applications links outside the repository; not read',
      );
  });
  const apps: ArgoApplication[] = [];
  for (const [file, text] of texts) apps.push(...applicationsIn(text, file));
  return apps.sort((a, b) => (a.name === b.name ? compare(a.file, b.file) : compare(a.name, b.name)));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
