/** The `salve` command line as a user runs it: real processes, exit codes, --json, errors on stderr. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoWorld, type DemoWorld, EXAMPLE_SIGNALS } from '../../engine/demo/setup.ts';
import { privateKeyPem, publicKeyPem } from '../../engine/policy/index.ts';
import { alertPayload, writeSignal } from '../pipeline/helpers.ts';

import { type Run, salve as run } from './run.ts';

function salve(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Run> {
  return run(args, { env, ...(cwd ? { cwd } : {}) });
}

let world: DemoWorld;
let keys: Record<string, string>;

beforeAll(async () => {
  world = await createDemoWorld({ remote: false });
  keys = { SALVE_SIGNING_KEY: privateKeyPem(world.signingKey), SALVE_GPG_PRIVATE_KEY: world.pgp.armoredPrivateKey };
});

afterAll(async () => {
  await world?.close();
});

describe('salve CLI', () => {
  it('plan --json prints one object with the fingerprint, action, mode, branch, commit and rules', async () => {
    const run = await salve(
      ['plan', '--repo', world.work, '--signal', join(EXAMPLE_SIGNALS, 'hpa-maxed-checkout-staging.json'), '--json'],
      keys,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ action: 'raise-hpa-max-replicas', mode: 'approve', outcome: 'publish', incidents: 1 });
    expect(out.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    // The branch is the workload's (the Deployment the autoscaler scales), not the action's.
    expect(out.branch).toMatch(/^salve\/deployment-checkout-[0-9a-f]{10}$/);
    expect(out.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(out.rules.map((r: { id: string }) => r.id)).toContain('safety.replicas-within-bounds');
  });

  it('verify re-checks the branch, and fails loudly once the proof is tampered with', async () => {
    // Staging: the CLI runs on the real clock, and production outside business hours only observes.
    // (A lone throttling alert without a metric window stays under the risk threshold: observed only.)
    const plan = await salve(
      ['plan', '--repo', world.work, '--signal', join(EXAMPLE_SIGNALS, 'hpa-maxed-checkout-staging.json'), '--json'],
      keys,
    );
    const { branch, id } = JSON.parse(plan.stdout);
    const ok = await salve(['verify', '--repo', world.work, '--ref', branch, '--json']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      ok: true,
      remediations: [{ id, ok: true, action: 'raise-hpa-max-replicas' }],
    });

    // Edit the recorded decision on the branch (a new commit), as someone with push access could.
    const dir = world.work;
    const tampered = `tampered-${id}`;
    await git.branch({ fs, dir, ref: tampered, object: branch });
    await git.checkout({ fs, dir, ref: tampered });
    const envelopePath = join(dir, `.salve/remediations/${id}/proof.dsse.json`);
    const envelope = JSON.parse(fs.readFileSync(envelopePath, 'utf8'));
    const proof = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    proof.decision.mode = proof.decision.mode === 'automate' ? 'approve' : 'automate';
    envelope.payload = Buffer.from(JSON.stringify(proof)).toString('base64');
    await writeFile(envelopePath, JSON.stringify(envelope, null, 2));
    await git.add({ fs, dir, filepath: `.salve/remediations/${id}/proof.dsse.json` });
    const author = { name: 'Mallory', email: 'mallory@example.org', timestamp: 1_750_000_000, timezoneOffset: 0 };
    await git.commit({ fs, dir, message: 'auto-merge me', author });
    await git.checkout({ fs, dir, ref: 'main' });

    const bad = await salve(['verify', '--repo', world.work, '--ref', tampered]);
    expect(bad.code).toBe(4);
    expect(bad.stdout).toContain(`FAIL  ${id}`);
    expect(bad.stdout).toMatch(/proof\.dsse\.json: .*signature/i);
  });

  it('verify fails a proof decided under trust settings the base branch no longer has, and ignores the working tree', async () => {
    const plan = await salve(
      ['plan', '--repo', world.work, '--signal', join(EXAMPLE_SIGNALS, 'hpa-maxed-checkout-staging.json'), '--json'],
      keys,
    );
    const { branch } = JSON.parse(plan.stdout);
    const dir = world.work;
    const config = join(dir, '.salve.yaml');
    const original = fs.readFileSync(config, 'utf8');
    const before = execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    try {
      // An edit in the working tree is nobody's decision: verify does not read it.
      fs.writeFileSync(config, original.replace('  default: approve', '  default: observe'));
      const untouched = await salve(['verify', '--repo', dir, '--ref', branch]);
      expect(untouched.code).toBe(0);
      // The same edit committed on the base branch is: the proof was decided under other settings.
      execFileSync('git', [
        '-C',
        dir,
        '-c',
        'commit.gpgsign=false',
        '-c',
        'user.name=t',
        '-c',
        'user.email=t@example.org',
        'commit',
        '-qam',
        'observe by default',
      ]);
      const run = await salve(['verify', '--repo', dir, '--ref', branch]);
      expect(run.code).toBe(4);
      expect(run.stdout).toMatch(/differ from the trusted \.salve\.yaml \(defaultMode\)/);
    } finally {
      execFileSync('git', ['-C', dir, 'reset', '-q', '--hard', before]);
    }
  });

  it('exits 3 when policy denies, naming the rule', async () => {
    const run = await salve(
      [
        'plan',
        '--repo',
        world.work,
        '--cluster',
        'production',
        '--signal',
        join(EXAMPLE_SIGNALS, 'pod-crashloop-catalog.json'),
      ],
      keys,
    );
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('admission.rollback-release-age');
  });

  it('exits 2 on bad input with what was wrong and where', async () => {
    const file = await writeSignal({
      ...alertPayload([{ alertname: 'KubePodCrashLooping', cluster: 'production', namespace: 'checkout' }]),
      alerts: 'nope',
    });
    const bad = await salve(['plan', '--repo', world.work, '--signal', file], keys);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(file);
    expect(bad.stderr).toContain('alerts');

    // Without --repo, the repository around the working directory; outside any, a clear error.
    const outside = await mkdtemp(join(tmpdir(), 'salve-cli-'));
    try {
      const noRepo = await salve(['plan', '--signal', file], keys, outside);
      expect(noRepo.code).toBe(2);
      expect(noRepo.stderr).toContain('is not inside a git repository: pass --repo <dir>');
    } finally {
      await rm(outside, { recursive: true, force: true });
    }

    const noKey = await salve(
      ['plan', '--repo', world.work, '--signal', join(EXAMPLE_SIGNALS, 'hpa-maxed-checkout-staging.json')],
      {
        SALVE_GPG_PRIVATE_KEY: keys.SALVE_GPG_PRIVATE_KEY as string,
      },
    );
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('SALVE_SIGNING_KEY');

    const unknown = await salve(['frobnicate']);
    expect(unknown.code).toBe(2);
  });

  it('never prints key material, even when the key is unusable', async () => {
    const secret = privateKeyPem(world.signingKey);
    const run = await salve(
      ['plan', '--repo', world.work, '--signal', join(EXAMPLE_SIGNALS, 'hpa-maxed-checkout-staging.json')],
      {
        SALVE_SIGNING_KEY: secret.replace('MC4CAQAw', 'MC4CAQAx'),
        SALVE_GPG_PRIVATE_KEY: keys.SALVE_GPG_PRIVATE_KEY as string,
      },
    );
    expect(run.code).not.toBe(0);
    const body = secret.split('\n')[1] as string;
    expect(run.stderr + run.stdout).not.toContain(body);
    expect(run.stderr + run.stdout).not.toContain(world.pgp.armoredPrivateKey.split('\n')[3] as string);
    expect(publicKeyPem(world.signingKey)).toContain('PUBLIC KEY');
  });
});
