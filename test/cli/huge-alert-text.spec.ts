/**
 * Two alerts with 10 MB descriptions, through `salve plan` in its own process: the committed
 * explanation and the PR body stay small, the decision survives, and peak memory stays bounded.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import git from 'isomorphic-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoWorld, type DemoWorld, EXAMPLE_SIGNALS } from '../../engine/demo/setup.ts';
import { privateKeyPem } from '../../engine/policy/index.ts';

/** The compiled CLI, as users run it; tsx only loads the probe. */
const BIN = resolve(import.meta.dirname, '../../bin/salve');
const PROBE = resolve(import.meta.dirname, 'rss-probe.ts');
const TEN_MB = 10 * 1024 * 1024;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  maxRssMiB: number;
}

async function salve(args: string[], env: Record<string, string>, scratch: string): Promise<Run> {
  const rssFile = join(scratch, `rss-${Date.now()}`);
  const run = await new Promise<Omit<Run, 'maxRssMiB'>>((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--import', PROBE, BIN, ...args],
      {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SALVE_TEST_RSS_FILE: rssFile, ...env },
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
  return { ...run, maxRssMiB: Number(await readFile(rssFile, 'utf8')) / 1024 };
}

/** The example HPA alert twice, each with its own 10 MB description. */
async function hugeSignal(dir: string): Promise<string> {
  const payload = JSON.parse(await readFile(join(EXAMPLE_SIGNALS, 'hpa-maxed-checkout-staging.json'), 'utf8'));
  const [alert] = payload.alerts;
  payload.alerts = ['a', 'b'].map((c, i) => ({
    ...alert,
    fingerprint: `${alert.fingerprint.slice(0, -1)}${i}`,
    annotations: { ...alert.annotations, description: c.repeat(TEN_MB) },
  }));
  const file = join(dir, 'huge.json');
  await writeFile(file, JSON.stringify(payload));
  return file;
}

let world: DemoWorld;
let scratch: string;
let env: Record<string, string>;

beforeAll(async () => {
  world = await createDemoWorld({ remote: false });
  scratch = await mkdtemp(join(tmpdir(), 'salve-huge-'));
  env = { SALVE_SIGNING_KEY: privateKeyPem(world.signingKey), SALVE_GPG_PRIVATE_KEY: world.pgp.armoredPrivateKey };
});

afterAll(async () => {
  await world?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('salve plan with 10 MB alert descriptions', () => {
  it('caps the text at intake: small explanation and PR body, decision kept, memory bounded', async () => {
    const signal = await hugeSignal(scratch);
    const run = await salve(['plan', '--repo', world.work, '--signal', signal, '--json'], env, scratch);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ outcome: 'publish', action: 'raise-hpa-max-replicas' });

    const explanation = Buffer.from(
      (
        await git.readBlob({
          fs,
          dir: world.work,
          oid: out.commit,
          filepath: `.salve/remediations/${out.id}/explanation.md`,
        })
      ).blob,
    ).toString('utf8');
    expect(explanation.length).toBeLessThan(64 * 1024);
    expect(explanation).toContain(`… (truncated, ${TEN_MB} bytes)`);
    expect(explanation).toContain('Decision: **approve**.');

    const prDir = join(world.work, '.git', 'salve', 'pull-requests');
    const [prFile] = (await readdir(prDir)).filter((f) => f.startsWith(out.id));
    const body = await readFile(join(prDir, prFile as string), 'utf8');
    expect(body.length).toBeLessThan(65_536);
    expect(body).toContain('## Why allowed');
    expect(body).toContain('Decision: **approve**.');
    expect(body).toContain('```diff');

    // Measured here: 156 MiB for an ordinary alert, 206-214 MiB for these (reading the 20 MB file),
    // 380 MiB before intake capped the text.
    expect(run.maxRssMiB).toBeLessThan(300);
  });
});
