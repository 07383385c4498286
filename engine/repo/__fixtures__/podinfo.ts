/**
 * Test helper: a writable copy of the podinfo test bed (`../shared/testbeds/podinfo`) with Argo CD
 * Applications for its dev, staging and production overlays, and an app-of-apps root:
 *
 *   argocd/root.yaml                  root        → argocd/               (cluster prod-cluster, ns argocd)
 *   argocd/podinfo-dev.yaml           podinfo-dev → deploy/overlays/dev    (cluster dev-cluster, ns dev)
 *   argocd/podinfo-staging.yaml       ...staging  → deploy/overlays/staging (cluster staging-cluster, ns staging)
 *   argocd/podinfo-production.yaml    ...production → deploy/overlays/production (cluster prod-cluster, ns production)
 *
 * With `git: true` everything is committed on `main` (isomorphic-git), and `commit` is that commit.
 */
import * as fs from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import git from 'isomorphic-git';

export const PODINFO_TESTBED = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/testbeds/podinfo');
export const REPO_URL = 'https://github.com/acme/podinfo-config.git';

export const PODINFO_ENVIRONMENTS = [
  { env: 'dev', cluster: 'dev-cluster' },
  { env: 'staging', cluster: 'staging-cluster' },
  { env: 'production', cluster: 'prod-cluster' },
] as const;

/** Argo CD's address for the cluster it runs in: a destination by `server`, with no name. */
export const IN_CLUSTER = 'https://kubernetes.default.svc';

export function argoApplication(name: string, path: string, cluster: string, namespace: string): string {
  const destination = cluster === IN_CLUSTER ? `server: ${cluster}` : `name: ${cluster}`;
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
spec:
  project: default
  source:
    repoURL: ${REPO_URL}
    targetRevision: main
    path: ${path}
  destination:
    ${destination}
    namespace: ${namespace}
  syncPolicy:
    automated: {prune: true, selfHeal: true}
`;
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(path);
    else await chmod(path, 0o644);
  }
}

async function commitAll(dir: string): Promise<string> {
  await git.init({ fs, dir, defaultBranch: 'main' });
  const files = await git.statusMatrix({ fs, dir });
  for (const [filepath] of files) await git.add({ fs, dir, filepath });
  const author = { name: 'Platform Team', email: 'platform@example.com', timestamp: 1_767_225_600, timezoneOffset: 0 };
  return git.commit({ fs, dir, message: 'podinfo config repo', author, committer: author });
}

export interface PodinfoRepo {
  dir: string;
  /** The commit on main when made with `git: true`, else null. */
  commit: string | null;
  cleanup: () => Promise<void>;
}

/**
 * `inCluster: true` deploys every Application to Argo CD's in-cluster destination (`server:
 * https://kubernetes.default.svc`), as a one-cluster setup does, instead of one cluster per overlay.
 */
export async function makePodinfoRepo(options: { git?: boolean; inCluster?: boolean } = {}): Promise<PodinfoRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'salve-podinfo-'));
  await cp(PODINFO_TESTBED, dir, { recursive: true });
  await makeWritable(dir);
  await mkdir(join(dir, 'argocd'));
  const files: string[] = [];
  for (const { env, cluster } of PODINFO_ENVIRONMENTS) {
    const file = `podinfo-${env}.yaml`;
    files.push(file);
    await writeFile(
      join(dir, 'argocd', file),
      argoApplication(`podinfo-${env}`, `deploy/overlays/${env}`, options.inCluster ? IN_CLUSTER : cluster, env),
    );
  }
  await writeFile(
    join(dir, 'argocd', 'kustomization.yaml'),
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${files.map((f) => `  - ${f}\n`).join('')}`,
  );
  const rootCluster = options.inCluster ? IN_CLUSTER : 'prod-cluster';
  await writeFile(join(dir, 'argocd', 'root.yaml'), argoApplication('root', 'argocd', rootCluster, 'argocd'));
  const commit = options.git ? await commitAll(dir) : null;
  return { dir, commit, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
