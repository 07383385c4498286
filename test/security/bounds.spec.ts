/**
 * A config repo cannot make `plan` hang or eat the machine: a remote resource that never answers
 * (allowed by `.salve.yaml`) stops at kustomize's timeout, naming the URL; a billion-laughs resource
 * stops at kustomize's memory ceiling; a huge file among the Applications is not parsed at all.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_NOW, EXAMPLE_SIGNALS } from '../../engine/demo/setup.ts';
import { SalveError } from '../../engine/model/errors.ts';
import { runPlan } from '../../engine/pipeline/run.ts';
import { locateKustomize } from '../../engine/tools/index.ts';
import { runOptions } from '../pipeline/helpers.ts';
import { captureLogger } from './capture-logger.ts';
import { type HostileWorld, hostileWorld, laughs } from './world.ts';

const OOM_PRODUCTION = join(EXAMPLE_SIGNALS, 'oomkilled-checkout-production.json');
const PRODUCTION = 'apps/checkout/overlays/production/kustomization.yaml';

let w: HostileWorld;
beforeEach(async () => {
  w = await hostileWorld();
});
afterEach(async () => {
  await w?.close();
});

async function addResource(entry: string, files: Record<string, string> = {}) {
  const text = (await readFile(join(w.repo, PRODUCTION), 'utf8')).replace(
    '  - namespace.yaml\n',
    `  - namespace.yaml\n  - ${entry}\n`,
  );
  await w.commit(`resource ${entry}`, { ...files, [PRODUCTION]: text });
}

async function planError(extra: Parameters<typeof runOptions>[3]): Promise<SalveError> {
  const err = await runPlan(await runOptions(w.repo, [OOM_PRODUCTION], DEMO_NOW, extra)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SalveError);
  return err as SalveError;
}

describe('plan within bounds', () => {
  it('a remote resource the repo allows, on a server that never answers, stops at the timeout naming the URL', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/never.yaml`;
      const config = await readFile(join(w.repo, '.salve.yaml'), 'utf8');
      await addResource(url, { '.salve.yaml': `${config}\nkustomize:\n  remoteHosts: [127.0.0.1]\n` });
      const kustomize = { ...locateKustomize(), limits: { timeoutMs: 2_000 } };
      const err = await planError({ kustomize });
      expect(err.code).toBe('kustomize-timeout');
      expect(err.exitCode).toBe(2);
      expect(err.message).toContain('apps/checkout/overlays/production');
      expect(err.message).toMatch(/did not finish within 2 s/);
      expect(err.message).toContain(url);
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it('a billion-laughs resource stops at the memory ceiling, naming the overlay', async () => {
    await addResource('lol.yaml', { 'apps/checkout/overlays/production/lol.yaml': laughs(6) });
    const kustomize = { ...locateKustomize(), limits: { memoryBytes: 128 * 1024 * 1024 } };
    const err = await planError({ kustomize });
    expect(err.code).toBe('kustomize-memory');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('apps/checkout/overlays/production');
    expect(err.message).toMatch(/memory ceiling of 128 MiB/);
  });

  it('a huge file among the Applications is skipped unread, with a warning naming it', async () => {
    const doc = 'apiVersion: argoproj.io/v1alpha1\nkind: ConfigMap\nmetadata: {name: filler}\ndata:\n';
    const filler = Array.from({ length: 100_000 }, (_, i) => `  k${i}: "${'x'.repeat(40)}"`).join('\n');
    await w.commit('a huge file', { 'argocd/production/huge.yaml': `${doc}${filler}\n` });
    const log = captureLogger();
    const [outcome] = await runPlan(await runOptions(w.repo, [OOM_PRODUCTION], DEMO_NOW, { log }));
    expect(outcome?.result.kind).not.toBe('none');
    const warning = log.records.find((r) => r.level === 'warn' && r.obj.file === 'argocd/production/huge.yaml');
    expect(warning?.msg).toMatch(/too large/);
    expect(warning?.obj.bytes).toBeGreaterThan(4 * 1024 * 1024);
  });
});
