/**
 * vitest globalSetup of the `kube` project (spec files named `*.kube.spec.ts`): builds the servers
 * if they are missing (scripts/setup-servers, quiet when done), starts one kube-apiserver for the
 * whole run and hands its address, CA and identities to the tests (`inject('kube')`). Vitest runs
 * it only when a kube spec is selected, and stops the server after the last one.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { REPO_ROOT } from '../../engine/demo/servers/tools.ts';
import { startTestKube, type TestKubeInfo } from './kube.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kube: TestKubeInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  execFileSync('bash', [join(REPO_ROOT, 'scripts/setup-servers'), 'kube-apiserver', 'etcd'], { stdio: 'inherit' });
  const kube = await startTestKube();
  project.provide('kube', kube.info);
  return () => kube.stop();
}
