/**
 * Flat in repo size: `salve plan` (its own process) on a generated 1,000-app config repo against
 * the same plan on a 10-app repo of the same shape, in two layouts: every app in one namespace,
 * and one namespace per app. Each app is a base, an overlay and an Argo CD Application.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../engine/pipeline/assets.ts';
import { generateEphemeralKey, privateKeyPem } from '../engine/policy/index.ts';
import { generateSigningIdentity } from '../engine/publish/pgp.ts';
import { argoApplication } from '../engine/repo/__fixtures__/podinfo.ts';
import { expectSuccess, runProcess } from './process.ts';
import { type Figure, interleave, median, ratio, rounds, seconds } from './stats.ts';
import { ALWAYS_OPEN, resetRepo } from './world.ts';

const run = promisify(execFile);
const SALVE = join(PROJECT_ROOT, 'bin', 'salve');
const TARGET = 5;

type Layout = 'one namespace' | 'namespace per app';

const app = (i: number) => `svc-${String(i).padStart(4, '0')}`;
const namespaceOf = (layout: Layout, i: number) => (layout === 'one namespace' ? 'shop' : app(i));

const SALVE_YAML = `apiVersion: salve.dev/v1
applications:
  - argocd/**/*.yaml
environments:
  - name: production
    tier: production
    clusters: [production]
${ALWAYS_OPEN}trust:
  default: approve
`;

async function write(path: string, text: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
}

/** `apps` apps, committed with the git CLI. */
export async function generateAppsRepo(dir: string, apps: number, layout: Layout): Promise<void> {
  await write(join(dir, '.salve.yaml'), SALVE_YAML);
  for (let i = 0; i < apps; i++) {
    const name = app(i);
    const ns = namespaceOf(layout, i);
    await write(join(dir, 'apps', name, 'base', 'kustomization.yaml'), 'resources:\n  - deployment.yaml\n');
    await write(
      join(dir, 'apps', name, 'base', 'deployment.yaml'),
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 3
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
        - name: app
          image: registry.example.org/${name}:1.0.${i}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 256Mi}
`,
    );
    await write(
      join(dir, 'apps', name, 'production', 'kustomization.yaml'),
      `namespace: ${ns}\nresources:\n  - ../base\n`,
    );
    await write(
      join(dir, 'argocd', `${name}.yaml`),
      argoApplication(name, `apps/${name}/production`, 'production', ns),
    );
  }
  const id = ['-c', 'user.name=bench', '-c', 'user.email=bench@example.org', '-c', 'commit.gpgsign=false'];
  await run('git', ['-C', dir, 'init', '-q', '-b', 'main']);
  await run('git', ['-C', dir, 'add', '-A']);
  await run('git', ['-C', dir, ...id, 'commit', '-q', '-m', `${apps} apps`]);
}

function oomSignal(namespace: string, name: string): string {
  const labels = { alertname: 'KubeContainerOOMKilled', cluster: 'production', namespace, container: 'app' };
  return JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="KubeContainerOOMKilled"}`,
    status: 'firing',
    receiver: 'salve',
    groupLabels: { alertname: 'KubeContainerOOMKilled' },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    // Pod names as a ReplicaSet makes them (the suffix alphabet has no vowels, 0, 1 or 3).
    alerts: ['x2x7k', 'q8w4n'].map((suffix, k) => ({
      status: 'firing',
      labels: { ...labels, pod: `${name}-7d9f8b6c5d-${suffix}`, reason: 'OOMKilled' },
      annotations: { summary: 'Container was OOMKilled.' },
      startsAt: new Date(Date.now() - (k + 1) * 60_000).toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
      fingerprint: `b7e4c1d2a9f03e5${k}`,
    })),
  });
}

export async function benchScale(): Promise<Figure[]> {
  const root = await mkdtemp(join(tmpdir(), 'salve-bench-scale-'));
  try {
    const key = join(root, 'proof.key');
    const pgp = join(root, 'commit.asc');
    await writeFile(key, privateKeyPem(generateEphemeralKey()), { mode: 0o600 });
    const identity = await generateSigningIdentity({ name: 'salve bench', email: 'salve@example.org' });
    await writeFile(pgp, identity.armoredPrivateKey, { mode: 0o600 });
    const env = {
      SALVE_SIGNING_KEY_FILE: key,
      SALVE_GPG_PRIVATE_KEY_FILE: pgp,
      SALVE_RENDERS_DIR: join(root, 'cache', 'renders'),
      SALVE_INDEX_DIR: join(root, 'cache', 'index'),
    };
    const figures: Figure[] = [];
    for (const layout of ['one namespace', 'namespace per app'] as const) {
      const signal = join(root, `${layout.replaceAll(' ', '-')}.json`);
      await writeFile(signal, oomSignal(namespaceOf(layout, TARGET), app(TARGET)));
      const repos = { large: join(root, `large-${figures.length}`), small: join(root, `small-${figures.length}`) };
      await generateAppsRepo(repos.large, 1000, layout);
      await generateAppsRepo(repos.small, 10, layout);
      const plan = (dir: string) => async () => {
        const r = expectSuccess(
          await runProcess(SALVE, ['plan', '--repo', dir, '--signal', signal, '--json'], { env }),
          `salve plan (${layout})`,
        );
        if (!r.stdout.includes('"outcome": "publish"')) throw new Error(`salve plan wrote no branch: ${r.stdout}`);
        return r.seconds;
      };
      // Caches that outlive a process (the policy bundle) are filled once, as on any machine.
      await plan(repos.small)();
      await resetRepo(repos.small);
      const n = rounds();
      const runs = await interleave(n, plan(repos.large), plan(repos.small), async () => {
        await resetRepo(repos.large);
        await resetRepo(repos.small);
      });
      const large = median(runs.a);
      const small = median(runs.b);
      figures.push(
        ratio(
          `plan, 1,000-app / 10-app repo (${layout})`,
          large,
          small,
          `median ${seconds(large)} vs ${seconds(small)}, ${n} pairs`,
          1.5,
        ),
      );
    }
    return figures;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
