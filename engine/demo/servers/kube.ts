/**
 * A real kube-apiserver (with its own etcd) on 127.0.0.1 for `salve demo` and the tests: token
 * authentication, RBAC, the Argo CD Application and Argo Rollouts CRDs installed, and two
 * identities:
 * - admin: in system:masters (it plays Argo CD, Argo Rollouts and the kubelet);
 * - reader: bound to deploy/rbac's salve-reader ClusterRole, as salve is in production.
 * A caller adds identities (`users`) and what they may do (`install`).
 * No controllers, scheduler or kubelet run: the caller writes the statuses those would write.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverBinary } from '../../tools/servers.ts';
import { type Etcd, startEtcd } from './etcd.ts';
import { type KubeIdentity, type KubeInfo, kubeRequest } from './kube-client.ts';
import { installCluster } from './kube-install.ts';
import { freePort } from './ports.ts';
import { type ServerProcess, startProcess } from './processes.ts';
import { waitFor } from './wait.ts';

export type { KubeIdentity, KubeInfo } from './kube-client.ts';

export interface KubeOptions<Extra extends string = never> {
  /** The tools cache holding the built etcd and kube-apiserver (the entry point says where). */
  tools: string;
  /** More identities, by key: their user names (no groups: RBAC bindings give them rights). */
  users?: Record<Extra, string>;
  /** Runs once the CRDs and the reader's RBAC are in place (bindings for `users`). */
  install?: (info: KubeInfo<Extra>) => Promise<void>;
  /**
   * The apiserver's watch cache (on by default, as in production). Off, every watch reads etcd
   * directly, so compacting etcd makes an old resourceVersion answer `410 Gone` at once.
   */
  watchCache?: boolean;
  /** Where its temp dir goes (default: the system temp dir); `salve demo` keeps it inside its own. */
  parentDir?: string;
}

export interface KubeServer<Extra extends string = never> {
  readonly info: KubeInfo<Extra>;
  readonly etcd: Etcd;
  readonly apiserver: ServerProcess;
  readonly dir: string;
  stop(): Promise<void>;
}

const BASE_USERS = { admin: 'salve-local-admin', reader: 'salve-reader' } as const;
const ADMIN_GROUP = 'system:masters';

function writeCredentials<Extra extends string>(
  dir: string,
  users: Record<'admin' | 'reader' | Extra, string>,
): Record<'admin' | 'reader' | Extra, KubeIdentity> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const ids = {} as Record<'admin' | 'reader' | Extra, KubeIdentity>;
  const lines: string[] = [];
  for (const [key, user] of Object.entries(users) as Array<['admin' | 'reader' | Extra, string]>) {
    const token = randomBytes(24).toString('hex');
    ids[key] = { user, token };
    lines.push(`${token},${user},${user}-uid${key === 'admin' ? `,"${ADMIN_GROUP}"` : ''}`);
  }
  writeFileSync(join(dir, 'tokens.csv'), `${lines.join('\n')}\n`, { mode: 0o600 });
  return ids;
}

export async function startKube<Extra extends string = never>(options: KubeOptions<Extra>): Promise<KubeServer<Extra>> {
  const dir = mkdtempSync(join(options.parentDir ?? tmpdir(), 'salve-kube-'));
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const users = { ...options.users, ...BASE_USERS } as Record<'admin' | 'reader' | Extra, string>;
    const identities = writeCredentials(dir, users);
    const etcd = await startEtcd(dir, options.tools);
    stops.push(() => etcd.proc.stop());
    const port = await freePort();
    const certDir = join(dir, 'certs');
    const apiserver = startProcess(
      'kube-apiserver',
      serverBinary('kube-apiserver', options.tools),
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
        const attempt: KubeInfo<Extra> = { url, ca: readFileSync(certFile, 'utf8'), etcdUrl: etcd.url, identities };
        const res = await kubeRequest(attempt, identities.admin, 'GET', '/readyz');
        return res.status === 200 ? attempt : undefined;
      },
      { what: 'kube-apiserver /readyz', proc: apiserver, attempts: 1200 },
    );
    await installCluster(info);
    await options.install?.(info);
    return { info, etcd, apiserver, dir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
