import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_REPO } from '../demo/setup.ts';
import { generateEphemeralKey } from '../policy/index.ts';
import { readFileText } from '../repo/index.ts';
import { silentLogger } from '../telemetry/logger.ts';
import { createCommitMemo } from './commits.ts';
import type { PipelineContext } from './context.ts';
import { prepareContext } from './run.ts';
import { buildCommitted, buildDerived } from './shadow.ts';

const run = promisify(execFile);
const OVERLAY = 'apps/checkout/overlays/production';

describe('pipeline/shadow', () => {
  let root: string;
  let ctx: PipelineContext;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'salve-shadow-spec-'));
    const dir = join(root, 'repo');
    await cp(EXAMPLE_REPO, dir, { recursive: true });
    const git = (...args: string[]) => run('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args]);
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'example');
    ctx = await prepareContext(dir, {
      signingKey: generateEphemeralKey(),
      now: new Date('2026-11-30T10:00:00Z'),
      log: silentLogger(),
      bundlesDir: join(root, 'bundles'),
    });
  });
  afterAll(async () => {
    await ctx?.dispose();
    await rm(root, { recursive: true, force: true });
  });

  it("builds the commit's overlay once per commit with a memo, and only when no build can fetch anything", async () => {
    const kept = { ...ctx, memo: createCommitMemo() };
    const first = buildCommitted(kept, OVERLAY);
    expect(buildCommitted(kept, OVERLAY)).toBe(first);
    const objects = (await first).objects;
    expect(objects.some((o) => o.kind === 'Deployment')).toBe(true);
    // Without a memo, or with a remote host allowed (a remote base may render differently next time), it builds again.
    expect(buildCommitted(ctx, OVERLAY)).not.toBe(first);
    const remote = {
      ...kept,
      config: { ...ctx.config, kustomize: { ...ctx.config.kustomize, remoteHosts: ['example.org'] } },
    };
    const again = buildCommitted(remote, OVERLAY);
    expect(again).not.toBe(first);
    expect((await again).objects).toEqual(objects);
  });

  it('builds a derived overlay once per commit and changes, and each different change anew', async () => {
    const kept = { ...ctx, memo: createCommitMemo() };
    const path = `${OVERLAY}/kustomization.yaml`;
    const before = await readFileText(ctx.snapshot, path);
    const bare = (after: string) => [{ path, before, after }];
    const text = 'resources:\n  - ../../base\n';
    const first = buildDerived(kept, OVERLAY, bare(text));
    expect(buildDerived(kept, OVERLAY, bare(text))).toBe(first);
    const named = buildDerived(kept, OVERLAY, bare(`${text}namePrefix: p-\n`));
    expect(named).not.toBe(first);
    const names = (r: Awaited<typeof first>) => r.objects.map((o) => o.metadata.name).sort();
    expect(names(await named)).toEqual(names(await first).map((n) => `p-${n}`));
  });
});
