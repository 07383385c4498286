/**
 * The podinfo test bed as it is (plus Argo CD Applications in a temp copy): a production memory
 * raise whose rendered diff is exactly one field, and every failure mode leaving no branch behind.
 */
import fs from 'node:fs';
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { raiseMemoryLimit } from '../../engine/actions/raise-memory-limit/index.ts';
import { CheckError, InputError, ResolveError } from '../../engine/model/errors.ts';
import { runPlan } from '../../engine/pipeline/run.ts';
import { argoApplication, makePodinfoRepo, type PodinfoRepo } from '../../engine/repo/__fixtures__/podinfo.ts';
import { locateKustomize } from '../../engine/tools/index.ts';
import { alertPayload, branches, commitAll, runOptions, writeSignal } from './helpers.ts';

const NOW = new Date('2025-06-12T10:00:00Z'); // a Thursday, business hours in UTC

let repo: PodinfoRepo | null = null;

afterEach(async () => {
  await repo?.cleanup();
  repo = null;
});

async function podinfo(): Promise<PodinfoRepo> {
  repo = await makePodinfoRepo({ git: true });
  return repo;
}

function oom(cluster = 'prod-cluster', namespace = 'production') {
  return alertPayload(
    ['backend-5d8f7c9b6d-x2x7q', 'backend-5d8f7c9b6d-p9k2m'].map((pod) => ({
      alertname: 'KubePodCrashLooping',
      cluster,
      namespace,
      pod,
      container: 'backend',
      reason: 'OOMKilled',
      severity: 'critical',
    })),
  );
}

async function refsOf(dir: string): Promise<string[]> {
  const heads = await git.listBranches({ fs, dir });
  const tags = await git.listTags({ fs, dir });
  return [...heads, ...tags].sort();
}

describe('pipeline on the podinfo test bed', () => {
  it('raises backend memory in production: one field, shipped directly, never a takeover inside the fix', async () => {
    const { dir, commit } = await podinfo();
    const [o] = await runPlan(await runOptions(dir, [await writeSignal(oom())], NOW));
    expect(o?.result.kind).toBe('publish');
    if (o?.result.kind !== 'publish') return;
    const rem = o.result.remediation;
    expect(rem.overlay).toBe('deploy/overlays/production');
    expect(rem.application).toBe('podinfo-production');
    // A plain Deployment is not migrated to Argo Rollouts inside a fix: the whole diff is one field.
    expect(rem.diff).toEqual({
      objects: [],
      fields: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'production',
          name: 'backend',
          path: '/spec/template/spec/containers[name=backend]/resources/limits/memory',
          before: '512Mi',
          after: '768Mi',
        },
      ],
    });
    expect(rem.exposure).toBeUndefined();
    const paths = rem.files.map((f) => f.path).sort();
    expect(paths).toEqual([
      'deploy/overlays/production/kustomization.yaml',
      'deploy/overlays/production/salve/raise-memory-limit-deployment-backend.yaml',
    ]);
    // The PR says how the fix ships and what guards it.
    expect(rem.decision.rules.find((r) => r.id === 'exposure.direct')?.message).toMatch(
      /own rolling update.*revert if the SLOs breach/,
    );
    expect(rem.action.rationale.join('\n')).toContain('rollouts.adopt: true');
    expect(o.result.request.pr.body).toContain('exposure.direct');
    const proof = JSON.parse(o.result.request.files.find((f) => f.path.endsWith('/proof.json'))?.after ?? '{}');
    expect(proof.input.change.fields).toHaveLength(1);
    expect(proof.input.workload).toMatchObject({
      kind: 'Deployment',
      name: 'backend',
      delivery: { controller: 'none' },
    });
    const kustomization = rem.files.find((f) => f.path.endsWith('kustomization.yaml'));
    // The user's file keeps every line it had; salve only appends its patch entry.
    for (const line of (kustomization?.before ?? '').split('\n').filter(Boolean))
      expect(kustomization?.after).toContain(line);
    expect(o.commit).toBeTruthy();
    const log = await git.log({ fs, dir, ref: o.branch as string });
    expect(log.map((c) => c.oid)).toEqual([o.commit, commit]);
  });

  it('raises a production StatefulSet (no canary for that kind): the whole rendered diff is exactly one field', async () => {
    const { dir } = await podinfo();
    const payload = alertPayload([
      {
        alertname: 'KubePodCrashLooping',
        cluster: 'prod-cluster',
        namespace: 'production',
        pod: 'database-primary-0',
        container: 'database',
        reason: 'OOMKilled',
        severity: 'critical',
      },
    ]);
    const [o] = await runPlan(await runOptions(dir, [await writeSignal(payload)], NOW));
    if (o?.result.kind !== 'publish') throw new Error(`expected publish, got ${o?.result.kind}`);
    const rem = o.result.remediation;
    expect(rem.target).toMatchObject({ kind: 'StatefulSet', name: 'database-primary', container: 'database' });
    expect(rem.exposure).toBeUndefined();
    expect(rem.diff).toEqual({
      objects: [],
      fields: [
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          namespace: 'production',
          name: 'database-primary',
          path: '/spec/template/spec/containers[name=database]/resources/limits/memory',
          before: '512Mi',
          after: '768Mi',
        },
      ],
    });
    expect(rem.decision).toMatchObject({ allowed: true, mode: 'approve' });
    expect(rem.decision.rules.map((r) => r.id)).toContain('merge.sensitive-kind');
    // replicas: 1 — the memory raise restarts the database's only pod: approval, and "why safe" says so.
    const single = rem.decision.rules.find((r) => r.id === 'safety.single-replica-restart');
    expect(single).toMatchObject({ effect: 'require-approval' });
    expect(single?.message).toContain('only pod of StatefulSet production/database-primary (replicas: 1)');
    const whySafe = o.result.request.pr.body.split('## Why safe')[1] ?? '';
    expect(whySafe).toMatch(/safety\.single-replica-restart.*outage/);
  });

  it('denies a raise beyond the configured bound, with the rule named, and leaves no branch', async () => {
    const { dir } = await podinfo();
    await writeFile(join(dir, '.salve.yaml'), 'policy:\n  bounds:\n    memoryMaxFactor: 1.2\n');
    await commitAll(dir, 'tighten the memory bound');
    const before = await refsOf(dir);
    const [o] = await runPlan(await runOptions(dir, [await writeSignal(oom())], NOW));
    expect(o?.result.kind).toBe('denied');
    if (o?.result.kind !== 'denied') return;
    const deny = o.result.remediation.decision.rules.filter((r) => r.effect === 'deny');
    expect(deny.map((r) => r.id)).toEqual(['safety.memory-over-factor']);
    expect(deny[0]?.message).toMatch(/512Mi|768Mi/);
    expect(await refsOf(dir)).toEqual(before);
  });

  it('refuses an ambiguous target, naming every overlay it considered', async () => {
    const { dir } = await podinfo();
    await writeFile(
      join(dir, 'argocd', 'podinfo-production-copy.yaml'),
      argoApplication('podinfo-production-copy', 'deploy/overlays/production', 'prod-cluster', 'production'),
    );
    await commitAll(dir, 'a second Application on the same overlay');
    const before = await refsOf(dir);
    const error = await runPlan(await runOptions(dir, [await writeSignal(oom())], NOW)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResolveError);
    expect((error as ResolveError).exitCode).toBe(2);
    expect((error as Error).message).toContain('deploy/overlays/production');
    expect((error as Error).message).toMatch(/podinfo-production-copy|2 /);
    expect(await refsOf(dir)).toEqual(before);
  });

  it('refuses a target no Application renders', async () => {
    const { dir } = await podinfo();
    const error = await runPlan(await runOptions(dir, [await writeSignal(oom('prod-cluster', 'payments'))], NOW)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ResolveError);
    expect((error as Error).message).toContain('deploy/overlays/production');
  });

  it('rejects malformed payloads with the file and field, before touching the repo', async () => {
    const { dir } = await podinfo();
    const before = await refsOf(dir);
    const bad = [
      '{"version": "4", "alerts": [',
      JSON.stringify({ ...oom(), version: '3' }),
      JSON.stringify({ ...oom(), alerts: [{ status: 'firing', labels: 'nope' }] }),
      JSON.stringify({ kind: 'ConfigMap', metadata: { name: 'x' } }),
    ];
    for (const text of bad) {
      const file = await writeSignal(text);
      const error = await runPlan(await runOptions(dir, [file], NOW)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toContain(file);
    }
    expect(await refsOf(dir)).toEqual(before);
  });

  it("aborts on a failing kustomize build with kustomize's error, and commits nothing", async () => {
    const { dir } = await podinfo();
    await appendFile(join(dir, 'deploy/overlays/production/kustomization.yaml'), '  - does-not-exist.yaml\n');
    const text = await readFile(join(dir, 'deploy/overlays/production/kustomization.yaml'), 'utf8');
    expect(text).toContain('does-not-exist.yaml');
    await commitAll(dir, 'break the production overlay');
    const before = await refsOf(dir);
    const error = await runPlan(await runOptions(dir, [await writeSignal(oom())], NOW)).catch((e: unknown) => e);
    // The broken overlay cannot render the target, so resolution reports kustomize's own error.
    expect(error).toBeInstanceOf(ResolveError);
    expect((error as Error).message).toContain('deploy/overlays/production');
    expect((error as Error).message).toMatch(/kustomize build failed: .*does-not-exist\.yaml/);
    expect(await refsOf(dir)).toEqual(before);
  });

  it('aborts when the changed overlay fails to build, and commits nothing', async () => {
    const { dir } = await podinfo();
    const before = await refsOf(dir);
    // Real kustomize for the base; the build of the changed tree (salve's shadow copy) fails.
    const wrapper = join(dir, '..', `kustomize-fails-on-change-${process.pid}.sh`);
    await writeFile(
      wrapper,
      `#!/bin/sh\ncase "$PWD" in *salve-shadow*) echo "Error: injected failure in changed overlay" >&2; exit 1;; esac\nexec "${locateKustomize().command}" "$@"\n`,
      { mode: 0o755 },
    );
    const saved = process.env.SALVE_KUSTOMIZE;
    process.env.SALVE_KUSTOMIZE = wrapper;
    try {
      const error = await runPlan(await runOptions(dir, [await writeSignal(oom())], NOW)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CheckError);
      expect((error as CheckError).code).toBe('kustomize-build-failed');
      expect((error as Error).message).toContain('injected failure in changed overlay');
    } finally {
      if (saved === undefined) delete process.env.SALVE_KUSTOMIZE;
      else process.env.SALVE_KUSTOMIZE = saved;
      await rm(wrapper, { force: true });
    }
    expect(await refsOf(dir)).toEqual(before);
  });

  it('aborts when an action renders a deletion (only a revert deletes), and commits nothing', async () => {
    const { dir } = await podinfo();
    const before = await refsOf(dir);
    const gone = 'deploy/bases/cache/redis.conf';
    const text = await readFile(join(dir, gone), 'utf8');
    const render = raiseMemoryLimit.render.bind(raiseMemoryLimit);
    const spy = vi
      .spyOn(raiseMemoryLimit, 'render')
      .mockImplementation(async (candidate, view) => [
        ...(await render(candidate, view)),
        { path: gone, before: text, after: null },
      ]);
    try {
      const error = await runPlan(await runOptions(dir, [await writeSignal(oom())], NOW)).catch((e: unknown) => e);
      expect(spy).toHaveBeenCalled();
      expect(error).toBeInstanceOf(CheckError);
      expect((error as CheckError).code).toBe('unexpected-deletion');
      expect((error as Error).message).toBe(
        `raise-memory-limit deletes 1 file (${gone}): a remediation only adds and edits files; only the revert of a merged remediation deletes`,
      );
    } finally {
      spy.mockRestore();
    }
    expect(await refsOf(dir)).toEqual(before);
  });

  it('aborts when the rendered change is more than the declared effects, listing the extra change', async () => {
    const { dir } = await podinfo();
    // A replacement copies the memory limit into an annotation: raising the limit changes two fields.
    await appendFile(
      join(dir, 'deploy/overlays/production/kustomization.yaml'),
      [
        'replacements:',
        '  - source: {kind: Deployment, name: backend, fieldPath: "spec.template.spec.containers.[name=backend].resources.limits.memory"}',
        '    targets:',
        '      - select: {kind: Deployment, name: backend}',
        '        fieldPaths: [spec.template.metadata.annotations.memory-limit]',
        '        options: {create: true}',
        '',
      ].join('\n'),
    );
    await commitAll(dir, 'record the memory limit as an annotation');
    const before = await refsOf(dir);
    const error = await runPlan(await runOptions(dir, [await writeSignal(oom())], NOW)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckError);
    expect((error as CheckError).code).toBe('undeclared-change');
    expect((error as Error).message).toContain('/spec/template/metadata/annotations/memory-limit');
    expect((error as Error).message).toContain('768Mi');
    expect(await refsOf(dir)).toEqual(before);
  });

  it("leaves the user's checkout untouched", async () => {
    const { dir } = await podinfo();
    await runPlan(await runOptions(dir, [await writeSignal(oom())], NOW));
    const matrix = await git.statusMatrix({ fs, dir });
    expect(matrix.filter(([, head, work, stage]) => !(head === 1 && work === 1 && stage === 1))).toEqual([]);
    expect(await branches(dir)).toHaveLength(2);
  });
});
