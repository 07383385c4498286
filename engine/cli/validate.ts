/**
 * `salve validate`: everything salve needs from a config repo, checked without planning anything:
 * `.salve.yaml` against its schema, the policies compiled with opa, every Argo CD Application's
 * overlay built with kustomize, and the (cluster, namespace) -> overlay table targets resolve with.
 * Any problem: exit 2, each one named.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { SalveConfig } from '../config/schema.ts';
import { ConfigError, SalveError } from '../model/errors.ts';
import type { ArgoApplication } from '../model/remediation.ts';
import { counted } from '../model/words.ts';
import { repoKeyFiles } from '../pipeline/keys.ts';
import { policyDirs } from '../pipeline/run.ts';
import { buildBundle } from '../policy/index.ts';
import { buildOverlay, discoverApplications, environmentFor, KUSTOMIZATION_FILES, loadConfig } from '../repo/index.ts';
import { parse, repoDirOf } from './args.ts';
import { type Env, VALIDATE_OPTIONS } from './commands.ts';
import { findSigningKey } from './keys.ts';
import { terminalText } from './output.ts';

export interface OverlayRow {
  cluster: string;
  environment: string;
  tier: string;
  namespace: string;
  overlay: string;
  application: string;
  file: string;
  /** `ok`, `app-of-apps`, `no kustomization` (plain manifests: salve does not edit them), or `failed`. */
  status: string;
  objects: number;
  problem?: string;
}

interface Report {
  ok: boolean;
  config: { file: string | null; environments: number; trustRules: number } | null;
  policy: { digest: string; sources: number } | null;
  overlays: OverlayRow[];
  keys: { trusted: number; signingKeyHere: boolean };
  problems: string[];
  warnings: string[];
}

async function isKustomization(repoDir: string, path: string): Promise<boolean> {
  for (const name of KUSTOMIZATION_FILES)
    if (
      await access(join(repoDir, path, name)).then(
        () => true,
        () => false,
      )
    )
      return true;
  return false;
}

async function row(repoDir: string, app: ArgoApplication, config: SalveConfig): Promise<OverlayRow> {
  const env = environmentFor(config, app.cluster);
  const base = {
    cluster: app.cluster,
    environment: env.name,
    tier: env.tier,
    namespace: app.namespace,
    overlay: app.path || '.',
    application: app.name,
    file: app.file,
    objects: 0,
  };
  if (!(await isKustomization(repoDir, app.path))) return { ...base, status: 'no kustomization' };
  try {
    const { objects } = await buildOverlay(repoDir, app.path);
    const argo = objects.length > 0 && objects.every((o) => o.apiVersion.startsWith('argoproj.io/'));
    return { ...base, status: argo ? 'app-of-apps' : 'ok', objects: objects.length };
  } catch (err) {
    if (!(err instanceof SalveError) || err.code === 'tool-missing') throw err;
    const problem = `${app.file}: Application ${app.name}: ${err.message.replace(/\n/g, ' / ')}`;
    return { ...base, status: 'failed', problem };
  }
}

async function check(repoDir: string, env: Env): Promise<Report> {
  const report: Report = {
    ok: false,
    config: null,
    policy: null,
    overlays: [],
    keys: { trusted: 0, signingKeyHere: false },
    problems: [],
    warnings: [],
  };
  let config: SalveConfig;
  try {
    const loaded = await loadConfig(repoDir);
    config = loaded.config;
    const rules = config.trust.rules.length;
    report.config = { file: loaded.file, environments: config.environments.length, trustRules: rules };
    if (!loaded.file) report.warnings.push('no .salve.yaml: every default applies (salve init writes one)');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    report.problems.push(err.message);
    return report;
  }
  try {
    const bundle = await buildBundle(policyDirs(repoDir, config));
    report.policy = { digest: bundle.digest, sources: bundle.sources.length };
  } catch (err) {
    if (!(err instanceof SalveError) || err.code === 'tool-missing') throw err;
    report.problems.push(`policies: ${err.message}`);
  }
  const apps = await discoverApplications(repoDir, config);
  if (apps.length === 0)
    report.problems.push(
      `no Argo CD Application in the files matching applications: ${config.applications.join(', ')}`,
    );
  const limit = pLimit(4);
  const rows = await Promise.all(apps.map((app) => limit(() => row(repoDir, app, config))));
  const key = (r: OverlayRow) => `${r.environment}\0${r.cluster}\0${r.namespace}\0${r.overlay}`;
  report.overlays = rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  for (const r of report.overlays) if (r.problem) report.problems.push(r.problem);
  report.keys.trusted = (await repoKeyFiles(repoDir, config)).length;
  report.keys.signingKeyHere = (await findSigningKey(repoDir, config, env).catch(() => null)) !== null;
  if (report.keys.trusted === 0)
    report.warnings.push(
      `no trusted public key matches ${config.keys.join(', ')}: salve verify and the Action will fail`,
    );
  report.ok = report.problems.length === 0;
  return report;
}

function columns(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

function print(report: Report): void {
  const lines: string[] = [];
  const c = report.config;
  if (c)
    lines.push(
      `config       ${c.file ?? '(none)'}: ok, ${counted(c.environments, 'environment')}, ${counted(c.trustRules, 'trust rule')}`,
    );
  if (report.policy) lines.push(`policies     ok, bundle ${report.policy.digest} (${report.policy.sources} sources)`);
  lines.push(
    `keys         ${counted(report.keys.trusted, 'trusted public key')}; proof signing key on this machine: ${report.keys.signingKeyHere ? 'yes' : 'no'}`,
  );
  if (report.overlays.length > 0) {
    lines.push('', `${counted(report.overlays.length, 'Argo CD Application')}: (cluster, namespace) -> overlay`);
    const header = ['CLUSTER', 'ENVIRONMENT (TIER)', 'NAMESPACE', 'OVERLAY', 'APPLICATION', 'BUILD'];
    const rows = report.overlays.map((r) => [
      r.cluster,
      `${r.environment} (${r.tier})`,
      r.namespace || '-',
      r.overlay,
      r.application,
      r.status === 'ok' ? `ok, ${r.objects} objects` : r.status,
    ]);
    lines.push(columns([header, ...rows]));
  }
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  lines.push('', report.ok ? 'valid' : `${counted(report.problems.length, 'problem')}:`);
  for (const p of report.problems) lines.push(`  - ${p}`);
  process.stdout.write(`${terminalText(lines.join('\n'))}\n`);
}

export async function validateCommand(args: string[], env: Env): Promise<number> {
  const values = parse('validate', args, VALIDATE_OPTIONS);
  const repoDir = repoDirOf(values.repo, process.cwd());
  const report = await check(repoDir, env);
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else print(report);
  return report.ok ? 0 : 2;
}
