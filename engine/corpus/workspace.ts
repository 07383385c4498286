/**
 * A test bed as a config repo salve can run on: a temp copy, two Argo CD Applications per deployable
 * root, each on its own cluster so every target resolves to exactly one overlay: a staging one,
 * where fixes ship as plain patches, and a production one, where `.salve.yaml` opts in to adopting
 * Argo Rollouts (with an SLO, so the adoption PR carries a Rollout and an AnalysisTemplate).
 * Committed on `main`.
 */
import fs from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import git from 'isomorphic-git';
import type { Testbed } from './testbeds.ts';

export const DESTINATION_NAMESPACE = 'default';
export const APPLICATIONS_DIR = 'argocd-corpus';
const AUTHOR = { name: 'Platform Team', email: 'platform@example.com', timezoneOffset: 0 };

export interface Root {
  /** Repo-relative overlay directory. */
  overlay: string;
  application: string;
  /** The staging cluster: fixes land as patches of the overlay. */
  cluster: string;
  /** The production cluster: a Deployment's fix is preceded by adopting Argo Rollouts. */
  productionCluster: string;
}

export interface Workspace {
  dir: string;
  testbed: Testbed;
  roots: Root[];
  cleanup(): Promise<void>;
}

/** `applications/katib/upstream/installs/katib-standalone` → `katib-standalone-3` style names, unique per root. */
function slug(overlay: string, index: number): string {
  const tail = overlay
    .split('/')
    .slice(-2)
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${tail.slice(0, 40) || 'root'}-${index}`;
}

function application(name: string, overlay: string, cluster: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://example.com/corpus.git
    targetRevision: main
    path: ${overlay}
  destination:
    name: ${cluster}
    namespace: ${DESTINATION_NAMESPACE}
`;
}

function salveConfig(roots: readonly Root[]): string {
  const environments = roots
    .flatMap((r) => [
      `  - name: ${r.cluster}\n    tier: staging\n    clusters: [${r.cluster}]\n`,
      `  - name: ${r.productionCluster}\n    tier: production\n    clusters: [${r.productionCluster}]\n`,
    ])
    .join('');
  return `apiVersion: salve.dev/v1
applications: ['${APPLICATIONS_DIR}/*.yaml']
environments:
${environments}rollouts:
  adopt: true
trust:
  default: approve
policy:
  protectedNamespaces: []
  bounds:
    memoryCap: 256Gi
    cpuCap: "256"
    replicasCap: 1000
slos:
  - name: availability
    prometheus: {address: http://prometheus.monitoring:9090}
    errorRate: {query: 'sum(rate(http_requests_total{service="{{args.service}}",code=~"5.."}[2m]))', max: 0.01}
    latency: {query: 'histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket{service="{{args.service}}"}[2m])) by (le))', maxSeconds: 0.5}
`;
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(path);
    else if (entry.isFile()) await chmod(path, 0o644);
  }
}

export async function commitAll(dir: string, message: string, when: Date): Promise<string> {
  const status = await git.statusMatrix({ fs, dir });
  for (const [filepath, , work] of status) {
    if (work === 0) await git.remove({ fs, dir, filepath });
    else if (work === 2) await git.add({ fs, dir, filepath });
  }
  const author = { ...AUTHOR, timestamp: Math.floor(when.getTime() / 1000) };
  return git.commit({ fs, dir, message, author, committer: author });
}

/** A committed copy of the test bed with Applications for `overlays` (default: every root). */
export async function createWorkspace(testbed: Testbed, when: Date, overlays?: readonly string[]): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), `salve-corpus-${testbed.name}-`));
  try {
    await cp(testbed.dir, dir, { recursive: true });
    await makeWritable(dir);
    const chosen = overlays ?? testbed.roots;
    const roots = chosen.map((overlay, i) => {
      const name = slug(overlay, i);
      return { overlay, application: name, cluster: `corpus-${name}`, productionCluster: `corpus-${name}-prod` };
    });
    await mkdir(join(dir, APPLICATIONS_DIR));
    for (const root of roots) {
      const { overlay, application: name } = root;
      await writeFile(join(dir, APPLICATIONS_DIR, `${name}.yaml`), application(name, overlay, root.cluster));
      await writeFile(
        join(dir, APPLICATIONS_DIR, `${name}-prod.yaml`),
        application(`${name}-prod`, overlay, root.productionCluster),
      );
    }
    await writeFile(join(dir, '.salve.yaml'), salveConfig(roots));
    await git.init({ fs, dir, defaultBranch: 'main' });
    await commitAll(dir, `${testbed.name} as a config repo`, when);
    return { dir, testbed, roots, cleanup: () => rm(dir, { recursive: true, force: true }) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
