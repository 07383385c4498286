/**
 * The kubelet's log endpoint, for a test kube-apiserver that has no kubelet: a Node object whose
 * address is 127.0.0.1 and whose kubelet port is this HTTPS server, which answers
 * `/containerLogs/<ns>/<pod>/<container>` with the text the test gives (its last `tailLines`). The API server proxies
 * `pods/log` to it exactly as it would to a real kubelet (it does not verify kubelet certificates
 * unless told to), so salve's log reader runs its real 200 path.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KubeInfo, kubeCall } from '../../engine/demo/servers/kube-client.ts';

export interface FakeKubelet {
  node: string;
  /** Log text per `namespace/pod/container`, and the query each request came with. */
  logs: Map<string, string>;
  requests: URL[];
  stop(): Promise<void>;
}

function selfSignedCert(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'salve-kubelet-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startFakeKubelet(kube: KubeInfo, node: string): Promise<FakeKubelet> {
  const logs = new Map<string, string>();
  const requests: URL[] = [];
  const server: Server = createServer(selfSignedCert(), (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    requests.push(url);
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    const text = m ? logs.get(`${m[1]}/${m[2]}/${m[3]}`) : undefined;
    if (text === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('previous terminated container not found');
      return;
    }
    // Like the kubelet, it honours tailLines; unlike it, it ignores limitBytes (salve must cut anyway).
    const tail = Number(url.searchParams.get('tailLines') ?? 0);
    const lines = text.replace(/\n$/, '').split('\n');
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(tail > 0 && lines.length > tail ? `${lines.slice(-tail).join('\n')}\n` : text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await kubeCall(kube, kube.identities.admin, 'POST', '/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: node },
  });
  await kubeCall(
    kube,
    kube.identities.admin,
    'PATCH',
    `/api/v1/nodes/${node}/status`,
    {
      status: {
        addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
        daemonEndpoints: { kubeletEndpoint: { Port: port } },
      },
    },
    'application/merge-patch+json',
  );
  return {
    node,
    logs,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
