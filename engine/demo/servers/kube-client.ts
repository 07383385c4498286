/**
 * What `salve demo` and the tests need to talk to the local kube-apiserver: its address, CA and
 * identities (plain, serialisable data that a vitest globalSetup can hand to the test files),
 * kubeconfigs, and a raw request helper for what client-node does not cover (readiness, status
 * writes by path).
 */
import { request } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

export interface KubeIdentity {
  user: string;
  token: string;
}

/**
 * admin is in system:masters (it plays Argo CD, Argo Rollouts and the kubelet); reader is bound to
 * deploy/rbac's read-only salve-reader ClusterRole, as salve is in production. `Extra` names the
 * identities a caller adds (startKube's `users`).
 */
export interface KubeInfo<Extra extends string = never> {
  url: string;
  /** PEM: the apiserver's self-signed serving chain. */
  ca: string;
  etcdUrl: string;
  identities: Record<'admin' | 'reader' | Extra, KubeIdentity>;
}

/** A kubeconfig document (YAML) with one context for this identity, as a user would write it. */
export function kubeconfigYaml(
  info: KubeInfo,
  id: KubeIdentity,
  opts: { context?: string; namespace?: string } = {},
): string {
  const context = opts.context ?? 'salve-local';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'salve-local',
        cluster: { server: info.url, 'certificate-authority-data': Buffer.from(info.ca).toString('base64') },
      },
    ],
    users: [{ name: id.user, user: { token: id.token } }],
    contexts: [
      {
        name: context,
        context: { cluster: 'salve-local', user: id.user, ...(opts.namespace ? { namespace: opts.namespace } : {}) },
      },
    ],
    'current-context': context,
  });
}

export function kubeConfigFor(info: KubeInfo, id: KubeIdentity): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml(info, id));
  return kc;
}

export interface RawResponse {
  status: number;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

export function kubeRequest(
  info: KubeInfo,
  id: KubeIdentity,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<RawResponse> {
  const url = new URL(path, info.url);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: info.ca,
        headers: {
          authorization: `Bearer ${id.token}`,
          accept: 'application/json',
          ...(payload !== undefined ? { 'content-type': contentType } : {}),
        },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Like kubeRequest, but fails unless the status is 2xx; returns the parsed body. */
export async function kubeCall<T = Record<string, unknown>>(
  info: KubeInfo,
  id: KubeIdentity,
  method: string,
  path: string,
  body?: unknown,
  contentType?: string,
): Promise<T> {
  const res = await kubeRequest(info, id, method, path, body, contentType);
  if (res.status < 200 || res.status >= 300)
    throw new Error(`${method} ${path}: HTTP ${res.status} ${res.body.slice(0, 500)}`);
  return res.json<T>();
}
