/**
 * The tests' kube-apiserver: the one `salve demo` starts (engine/demo/servers), plus the identity
 * only the tests need: `powerful`, which reads as salve does and may also patch Deployments (salve
 * must refuse to run as it). Binaries come from the tools cache the test environment names.
 */

import { type KubeOptions, type KubeServer, startKube } from '../../engine/demo/servers/kube.ts';
import type { KubeInfo } from '../../engine/demo/servers/kube-client.ts';
import { awaitRbac, binding, createObject } from '../../engine/demo/servers/kube-install.ts';
import { toolsDir } from '../../engine/tools/index.ts';
import { serverBinary as cachedServer, type ServerName } from '../../engine/tools/servers.ts';

export type TestUser = 'powerful';
export type TestKubeInfo = KubeInfo<TestUser>;
export type TestKubeServer = KubeServer<TestUser>;

/** The tools cache scripts/setup-servers builds into. */
export const TOOLS_DIR = toolsDir(process.env);

export function serverBinary(name: ServerName): string {
  return cachedServer(name, TOOLS_DIR);
}

async function installTestIdentities(info: TestKubeInfo): Promise<void> {
  const { powerful } = info.identities;
  await createObject(info, binding('salve-powerful-reader', 'salve-reader', powerful.user));
  await createObject(info, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'test-deployment-patcher' },
    rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'patch'] }],
  });
  await createObject(info, binding('salve-powerful-patcher', 'test-deployment-patcher', powerful.user));
  await awaitRbac(info, powerful, 'patch', 'apps', 'deployments');
}

export function startTestKube(
  options: Omit<KubeOptions<TestUser>, 'tools' | 'users' | 'install'> = {},
): Promise<TestKubeServer> {
  return startKube<TestUser>({
    ...options,
    tools: TOOLS_DIR,
    users: { powerful: 'salve-powerful' },
    install: installTestIdentities,
  });
}
