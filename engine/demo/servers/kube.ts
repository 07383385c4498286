/**
 * A real kube-apiserver (with its own etcd) on 127.0.0.1 for the tests: token authentication,
 * RBAC, the Argo CD Application and Argo Rollouts CRDs installed, and three identities:
 * - admin: in system:masters (the tests use it to play Argo CD, Argo Rollouts and the kubelet);
 * - reader: bound to deploy/rbac's salve-reader ClusterRole, as salve is in production;
 * - powerful: the same, plus `patch` on Deployments (salve must refuse to run as it).
 * No controllers, scheduler or kubelet run: tests write the statuses those would write.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Etcd, startEtcd } from './etcd.ts';
import { type KubeIdentity, type KubeInfo, kubeRequest } from './kube-client.ts';
import { installCluster } from './kube-install.ts';
import { freePort } from './ports.ts';
import { type ServerProcess, startProcess } from './processes.ts';
import { serverBinary } from './tools.ts';
import { waitFor } from './wait.ts';

export type { KubeIdentity, KubeInfo } from './kube-client.ts';

export interface KubeOptions {
  /**
   * The apiserver's watch cache (on by default, as in production). Off, every watch reads etcd
   * directly, so compacting etcd makes an old resourceVersion answer `410 Gone` at once.
   */
  watchCache?: boolean;
  /** Where its temp dir goes (default: the system temp dir); `salve demo` keeps it inside its own. */
  parentDir?: string;
}

export interface KubeServer {
  readonly info: KubeInfo;
  readonly etcd: Etcd;
  readonly apiserver: ServerProcess;
  readonly dir: string;
  stop(): Promise<void>;
}

const IDENTITIES = {
  admin: { user: 'salve-test-admin', groups: ['system:masters'] },
  reader: { user: 'salve-reader', groups: [] as string[] },
  powerful: { user: 'salve-powerful', groups: [] as string[] },
} as const;

function writeCredentials(dir: string): Record<keyof typeof IDENTITIES, KubeIdentity> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const ids = {} as Record<keyof typeof IDENTITIES, KubeIdentity>;
  const lines: string[] = [];
  for (const [key, { user, groups }] of Object.entries(IDENTITIES)) {
    const token = randomBytes(24).toString('hex');
    ids[key as keyof typeof IDENTITIES] = { user, token };
    lines.push(`${token},${user},${user}-uid${groups.length ? `,"${groups.join(',')}"` : ''}`);
  }
  writeFileSync(join(dir, 'tokens.csv'), `${lines.join('\n')}\n`, { mode: 0o600 });
  return ids;
}

export async function startKube(options: KubeOptions = {}): Promise<KubeServer> {
  const dir = mkdtempSync(join(options.parentDir ?? tmpdir(), 'salve-kube-'));
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const identities = writeCredentials(dir);
    const etcd = await startEtcd(dir);
    stops.push(() => etcd.proc.stop());
    const port = await freePort();
    const certDir = join(dir, 'certs');
    const apiserver = startProcess(
      'kube-apiserver',
      serverBinary('kube-apiserver'),
      [
        `--etcd-servers=${etcd.url}`,
        `--secure-port=${port}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--cert-dir=${certDir}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--service-account-issuer=https://kubernetes.default.svc',
        `--service-account-key-file=${join(dir, 'sa.pub')}`,
        `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
        '--authorization-mode=RBAC',
        `--token-auth-file=${join(dir, 'tokens.csv')}`,
        '--disable-admission-plugins=ServiceAccount',
        `--watch-cache=${options.watchCache ?? true}`,
        '--profiling=false',
        '--v=0',
      ],
      join(dir, 'kube-apiserver.log'),
    );
    stops.push(() => apiserver.stop());
    const certFile = join(certDir, 'apiserver.crt');
    const url = `https://127.0.0.1:${port}`;
    // The serving certificate is self-signed at start-up, its file holding the chain clients trust.
    // It is read afresh on every probe: a read while the apiserver was still writing it is retried.
    const info = await waitFor(
      async () => {
        if (!existsSync(certFile)) return undefined;
        const attempt: KubeInfo = { url, ca: readFileSync(certFile, 'utf8'), etcdUrl: etcd.url, identities };
        const res = await kubeRequest(attempt, identities.admin, 'GET', '/readyz');
        return res.status === 200 ? attempt : undefined;
      },
      { what: 'kube-apiserver /readyz', proc: apiserver, attempts: 1200 },
    );
    await installCluster(info);
    return { info, etcd, apiserver, dir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
