/** Argo CD `Application` manifests in the config repo: which overlay goes to which cluster. */
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { SalveConfig } from '../config/schema.ts';
import type { ApplicationSync, ArgoApplication } from '../model/remediation.ts';
import { matchesAny, walkFiles } from './glob.ts';

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
  return {
    name,
    file,
    cluster: text(destination.name) || text(destination.server),
    namespace: text(destination.namespace),
    path: normalisePath(text(source.path)),
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
  for (const doc of parseAllDocuments(yaml)) {
    if (doc.errors.length > 0) continue;
    const app = toApplication(record(doc.toJS()), file);
    if (app) apps.push(app);
  }
  return apps;
}

/**
 * Every Argo CD Application with a source path in files matching `config.applications`, sorted by
 * name, then file. Helm chart sources (no path) are left out.
 */
export async function discoverApplications(
  repoDir: string,
  config: Pick<SalveConfig, 'applications'>,
): Promise<ArgoApplication[]> {
  const files = (await walkFiles(repoDir)).filter(
    (file) => /\.ya?ml$/.test(file) && matchesAny(file, config.applications),
  );
  const apps: ArgoApplication[] = [];
  for (const file of files) apps.push(...applicationsIn(await readFile(join(repoDir, file), 'utf8'), file));
  return apps.sort((a, b) => (a.name === b.name ? compare(a.file, b.file) : compare(a.name, b.name)));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
