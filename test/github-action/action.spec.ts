import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { failureMessage, runAction } from '../../engine/github-action/run.ts';
import type { ActionResult } from '../../engine/github-action/types.ts';
import { generateEphemeralKey, publicKeyPem } from '../../engine/policy/index.ts';
import {
  actionEnvironment,
  commitOn,
  createHostileHeads,
  createPullRequestWorld,
  type HostileHeads,
  type PullRequestWorld,
  parseOutputs,
  pullRequestEvent,
  rewriteEnvelope,
} from './world.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs a command; a non-zero exit fails with its output. */
function run(cmd: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    execFile(cmd, args, { cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) fail(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else done({ stdout, stderr });
    });
  });
}

interface Run {
  result: ActionResult;
  stdout: string;
  summary: string;
  outputs: Record<string, string>;
}

describe('action', () => {
  let w: PullRequestWorld;
  beforeAll(async () => {
    w = await createPullRequestWorld();
  }, 60_000);
  afterAll(async () => {
    await w?.close();
  });

  async function act(head: string | null, inputs: Record<string, string> = {}, base = w.base): Promise<Run> {
    const run = await actionEnvironment(w.repo, head ? pullRequestEvent(base, head) : null, {
      'coverage-threshold': '90',
      policies: '',
      'trusted-keys': '',
      'verify-remediations': 'true',
      'test-policies': 'false',
      ...inputs,
    });
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
    try {
      const result = await runAction(run.env);
      return {
        result,
        stdout: chunks.join(''),
        summary: await readFile(run.env.GITHUB_STEP_SUMMARY as string, 'utf8'),
        outputs: parseOutputs(await readFile(run.env.GITHUB_OUTPUT as string, 'utf8')),
      };
    } finally {
      spy.mockRestore();
      await run.cleanup();
    }
  }

  const proofFile = (id: string) => `.salve/remediations/${id}/proof.dsse.json`;
  const reasons = (r: Run) => r.result.verdicts.flatMap((v) => v.errors.map((e) => `${e.file}: ${e.reason}`));

  it('passes a remediation planned by salve, with its policy tests, and reports it in the summary and outputs', async () => {
    const r = await act(w.valid.head, { 'test-policies': 'true' });
    expect(reasons(r)).toEqual([]);
    expect(r.result.annotations).toEqual([]);
    expect(r.result).toMatchObject({ ok: true, verified: 1, checked: 1 });
    expect(r.result.policyTests).toMatchObject({ failed: 0, ok: true });
    expect(r.result.policyTests?.passed).toBeGreaterThan(50);
    expect(r.outputs).toEqual({ result: 'pass', verified: '1', remediations: '1' });
    const [verdict] = r.result.verdicts;
    expect(verdict).toMatchObject({
      id: w.valid.id,
      ok: true,
      action: 'raise-hpa-max-replicas',
      target: 'staging/checkout/HorizontalPodAutoscaler/checkout',
      mode: 'approve',
    });
    expect(verdict?.rules).toContain('guard.needs-review');
    expect(r.summary).toContain('<th>Action</th><th>Target</th><th>Mode</th><th>Rules</th><th>Verdict</th>');
    expect(r.summary).toContain(
      `<td><code>${w.valid.id}</code></td><td>raise-hpa-max-replicas</td><td>staging/checkout/HorizontalPodAutoscaler/checkout</td><td>approve</td>`,
    );
    expect(r.summary).toContain('✅ verified');
    expect(r.summary).toMatch(/Policy tests: \d+ passed, 0 failed; coverage [\d.]+% \(threshold 90%\)/);
    expect(r.stdout).not.toContain('::error');
  }, 60_000);

  it('fails a proof whose signed payload was edited, naming the envelope and the bad signature', async () => {
    const head = await commitOn(w.repo, w.valid.head, 'Let it merge itself', () =>
      rewriteEnvelope(join(w.repo, proofFile(w.valid.id)), (proof) => {
        proof.decision.mode = 'automate';
      }),
    );
    const r = await act(head);
    expect(r.result).toMatchObject({ ok: false, verified: 0, checked: 1 });
    expect(reasons(r)).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^${proofFile(w.valid.id)}: bad signature: the signature by trusted key [0-9a-f]{64} does not match the payload$`,
        ),
      ),
    );
    expect(r.outputs).toEqual({ result: 'fail', verified: '0', remediations: '1' });
    expect(r.stdout).toContain(`file=${proofFile(w.valid.id)}::bad signature`);
    // What the tampered proof claims is still shown, beside the failure.
    expect(r.result.verdicts[0]).toMatchObject({ action: 'raise-hpa-max-replicas', mode: 'automate', ok: false });
    expect(r.summary).toContain(`❌ ${w.valid.id}`);
    expect(r.summary).toContain('bad signature');
  }, 60_000);

  it('fails a proof re-signed with a key the base commit does not trust, unless the workflow trusts that key', async () => {
    const other = generateEphemeralKey();
    const head = await commitOn(w.repo, w.valid.head, 'Sign it ourselves', () =>
      rewriteEnvelope(join(w.repo, proofFile(w.valid.id)), () => {}, other),
    );
    const r = await act(head);
    expect(r.result).toMatchObject({ ok: false, verified: 0, checked: 1 });
    expect(reasons(r)).toContainEqual(
      expect.stringMatching(
        new RegExp(`^${proofFile(w.valid.id)}: no trusted key matched: signed by ${other.keyid}; trusted [0-9a-f]{64}`),
      ),
    );
    expect(r.stdout).toMatch(
      /::error title=.*,file=\.salve\/remediations\/.*\/proof\.dsse\.json::no trusted key matched/,
    );

    const trusted = await act(head, { 'trusted-keys': publicKeyPem(other) });
    expect(reasons(trusted)).toEqual([]);
    expect(trusted.result).toMatchObject({ ok: true, verified: 1 });
    expect(trusted.result.verdicts[0]?.keyid).toBe(other.keyid);
  }, 60_000);

  it('stops with a ConfigError when a trusted key file is not in the base commit', async () => {
    await expect(act(w.valid.head, { 'trusted-keys': 'keys/ops.pub' })).rejects.toThrow(
      /^trusted key file keys\/ops\.pub \(input trusted-keys\) is not in the base commit [0-9a-f]{12}$/,
    );
  }, 60_000);

  it('fails an extra change to the overlay after the remediation was signed, naming the file', async () => {
    const overlay = 'apps/checkout/overlays/staging/kustomization.yaml';
    const head = await commitOn(w.repo, w.valid.head, 'Also bump the image', async () => {
      const file = join(w.repo, overlay);
      const text = await readFile(file, 'utf8');
      expect(text).toMatch(/newTag: \S+/);
      await writeFile(file, text.replace(/newTag: \S+/, 'newTag: 9.9.9'));
    });
    const r = await act(head);
    expect(r.result).toMatchObject({ ok: false, verified: 0, checked: 1 });
    const all = reasons(r);
    expect(all).toContainEqual(`${overlay}: differs from the content its proof signs`);
    expect(all).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^${overlay}: changed after ${w.valid.id} was signed in commit ${w.valid.head.slice(0, 12)}: not covered by its proof$`,
        ),
      ),
    );
    expect(r.stdout).toContain(`file=${overlay}::changed after ${w.valid.id} was signed`);
  }, 60_000);

  it('fails a PR that loosens a policy and carries a remediation signed under the loosened policy', async () => {
    const r = await act(w.loosened.head);
    expect(r.result).toMatchObject({ ok: false, verified: 0, checked: 1 });
    const all = reasons(r);
    const envelope = proofFile(w.loosened.id);
    expect(all).toContainEqual(expect.stringMatching(new RegExp(`^${envelope}: policy bundle differs`)));
    expect(all).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^${envelope}: signed under policies other than the base commit's .*; with the base commit's policies the decision is different: (mode automate vs approve; )?rule now fires: guard\\.needs-review \\(require-approval\\)`,
        ),
      ),
    );
    expect(all).toContainEqual(
      expect.stringMatching(
        new RegExp(`^${envelope}: planned on commit [0-9a-f]{12}, which is not on the base branch`),
      ),
    );
    expect(r.result.annotations).toContainEqual(
      expect.objectContaining({
        file: 'policy/guard.rego',
        message: expect.stringMatching(
          /^changed by this pull request outside any signed remediation: it is policy or trust configuration/,
        ),
      }),
    );
    expect(r.summary).toContain('Changes outside the signed remediations');
    expect(r.outputs.result).toBe('fail');
  }, 60_000);

  it('annotates a failing policy test on its Rego file and line, and coverage below the threshold', async () => {
    const broken = join(w.repo, 'policy', 'broken_test.rego');
    await writeFile(
      broken,
      'package broken_test\n\nimport data.salve.custom.guard\n\ntest_rollback_needs_review if {\n\tcount(guard.rules) == 1 with input as {"action": {"id": "rollback-image"}}\n}\n',
    );
    try {
      const r = await act(null, { 'test-policies': 'true', 'coverage-threshold': '100' });
      expect(r.result).toMatchObject({ ok: false, checked: 0 });
      expect(r.result.annotations).toContainEqual(
        expect.objectContaining({
          level: 'error',
          file: 'policy/broken_test.rego',
          line: 5,
          title: 'policy test failed: broken_test.test_rollback_needs_review',
        }),
      );
      expect(r.stdout).toContain(
        '::error title=policy test failed%3A broken_test.test_rollback_needs_review,file=policy/broken_test.rego,line=5::',
      );
      expect(r.result.annotations).toContainEqual(
        expect.objectContaining({
          title: 'policy coverage below threshold',
          message: expect.stringMatching(/below the threshold of 100%/),
        }),
      );
      expect(r.summary).toContain('Not a pull_request event');
      expect(r.outputs).toEqual({ result: 'fail', verified: '0', remediations: '0' });
    } finally {
      await rm(broken);
    }
  }, 60_000);

  /**
   * The Action as GitHub runs it: scripts/build-action's bundle, built fresh from these sources
   * (the committed dist/ is compared with such a build by .ci/checks), under Node 20 and under
   * Node 24, the runtime action.yml asks for (`runs.using: node24`).
   */
  describe('as shipped', () => {
    let built: string;
    beforeAll(async () => {
      built = await mkdtemp(join(tmpdir(), 'salve-dist-'));
      await run('bash', [join(ROOT, 'scripts/build-action'), built], ROOT);
    }, 120_000);
    afterAll(async () => {
      if (built) await rm(built, { recursive: true, force: true });
    });

    it.each([
      ['Node 20', async () => process.execPath, 'v20.'],
      ['Node 24', async () => (await run('bash', [join(ROOT, 'scripts/node24')], ROOT)).stdout.trim(), 'v24.'],
    ])(
      '%s runs index.js: it finds its policies and schemas, passes a valid PR and fails a tampered one',
      async (_name, nodeFor, major) => {
        const node = await nodeFor();
        const version = (await run(node, ['--version'], ROOT)).stdout.trim();
        expect(version.slice(0, major.length)).toBe(major);
        const ship = async (head: string) => {
          const env = await actionEnvironment(w.repo, pullRequestEvent(w.base, head), {
            'test-policies': 'true',
            'coverage-threshold': '90',
          });
          try {
            const child = await new Promise<{ code: number | null; stdout: string }>((done, fail) => {
              execFile(node, [join(built, 'index.js')], { env: env.env, cwd: w.repo }, (err, stdout) => {
                if (err && typeof err.code !== 'number') fail(err);
                else done({ code: err ? (err.code as number) : 0, stdout });
              });
            });
            return { ...child, outputs: parseOutputs(await readFile(env.env.GITHUB_OUTPUT as string, 'utf8')) };
          } finally {
            await env.cleanup();
          }
        };
        const good = await ship(w.valid.head);
        expect(good.stdout).not.toContain('::error');
        expect(good).toMatchObject({ code: 0, outputs: { result: 'pass', verified: '1', remediations: '1' } });
        const tampered = await commitOn(w.repo, w.valid.head, 'Explain it differently', () =>
          writeFile(join(w.repo, `.salve/remediations/${w.valid.id}/explanation.md`), 'Trust me.\n'),
        );
        const bad = await ship(tampered);
        expect(bad).toMatchObject({ code: 1, outputs: { result: 'fail', verified: '0', remediations: '1' } });
        expect(bad.stdout).toContain(
          `file=.salve/remediations/${w.valid.id}/explanation.md::changed after ${w.valid.id} was signed`,
        );
        expect(bad.stdout).toContain('::error::salve: 1 of 1 remediation failed verification');
      },
      180_000,
    );
  });

  describe('hostile pull requests', () => {
    let h: HostileHeads;
    beforeAll(async () => {
      h = await createHostileHeads(w);
    }, 120_000);

    const record = () => `.salve/remediations/${w.valid.id}`;
    const annotated = (r: Run, file: string) => r.result.annotations.filter((a) => a.file === file);

    it('fails an explanation rewritten in the very commit that signed the remediation, naming the file', async () => {
      const r = await act(h.explanation);
      expect(r.result).toMatchObject({ ok: false, verified: 0, checked: 1 });
      expect(reasons(r)).toContainEqual(`${record()}/explanation.md: differs from the content its proof signs`);
      expect(r.outputs.result).toBe('fail');
    }, 60_000);

    it('fails an extra file in the remediation record, even one added in the signing commit', async () => {
      const r = await act(h.recordExtra);
      expect(r.result).toMatchObject({ ok: false, verified: 0, checked: 1 });
      expect(reasons(r)).toContainEqual(
        `${record()}/post-merge.sh: changed since the proof's base commit, but not signed by its proof`,
      );
      expect(annotated(r, `${record()}/post-merge.sh`)).not.toEqual([]);
    }, 60_000);

    it('fails an extra file elsewhere under .salve/ in the signing commit', async () => {
      const r = await act(h.salveExtra);
      expect(r.result).toMatchObject({ ok: false, verified: 0, checked: 1 });
      expect(reasons(r)).toContainEqual(
        ".salve/templates/explanation.hbs: changed since the proof's base commit, but not signed by its proof",
      );
    }, 60_000);

    it.each([
      ['adds only a trusted key', 'keysOnly', '.salve/keys/ops.pub'],
      ['only loosens .salve.yaml', 'configOnly', '.salve.yaml'],
      ['only adds a template under .salve/', 'templateOnly', '.salve/templates/pr-body.hbs'],
    ] as const)(
      'fails a pull request that %s, naming the file',
      async (_what, which, file) => {
        const r = await act(h[which]);
        expect(r.result).toMatchObject({ ok: false, checked: 0 });
        expect(annotated(r, file)).toEqual([
          expect.objectContaining({
            level: 'error',
            message: expect.stringMatching(/^changes salve's own configuration \(policy, trust or templates\)/),
          }),
        ]);
        expect(r.outputs.result).toBe('fail');
        expect(r.summary).toContain(file);
        expect(r.stdout).toContain(`file=${file}::changes salve's own configuration`);
        expect(failureMessage(r.result)).toBe(
          'salve: 1 file changed outside any signed remediation; see the annotations and the job summary',
        );
      },
      60_000,
    );

    it('fails a pull request that deletes a merged remediation record', async () => {
      // As if the remediation had merged: main is its commit, and the pull request deletes its record.
      const head = await commitOn(w.repo, w.valid.head, 'Tidy up', () =>
        rm(join(w.repo, record()), { recursive: true }),
      );
      const r = await act(head, {}, w.valid.head);
      expect(r.result.ok).toBe(false);
      expect(annotated(r, `${record()}/proof.dsse.json`)).toEqual([
        expect.objectContaining({ level: 'error', message: expect.stringMatching(/^deleted by this pull request/) }),
      ]);
      expect(r.outputs.result).toBe('fail');
    }, 60_000);

    it('fails a branch that trusts its own key and loosens policy, with a remediation signed by that key', async () => {
      const r = await act(h.ownKey.head);
      expect(r.result).toMatchObject({ ok: false, verified: 0, checked: 1 });
      const envelope = proofFile(h.ownKey.id);
      expect(reasons(r)).toContainEqual(
        expect.stringMatching(new RegExp(`^${envelope}: no trusted key matched: signed by ${h.ownKey.keyid}`)),
      );
      for (const file of ['.salve/keys/mallory.pub', '.salve.yaml', 'policy/guard.rego'])
        expect(annotated(r, file)).toEqual([
          expect.objectContaining({
            message: expect.stringMatching(/changed by this pull request outside any signed remediation/),
          }),
        ]);
    }, 60_000);

    it('fails a remediation planned on a commit that is not on the base branch', async () => {
      const r = await act(h.offBase.head);
      expect(r.result).toMatchObject({ ok: false, verified: 0, checked: 1 });
      expect(reasons(r)).toContainEqual(
        `${proofFile(h.offBase.id)}: planned on commit ${h.offBase.base.slice(0, 12)}, which is not on the base branch (${w.base.slice(0, 12)}): the pull request carries commits its proof does not cover`,
      );
      expect(annotated(r, 'NOTES.md')).not.toEqual([]);
    }, 60_000);
  });

  it('does nothing beyond policy tests on a pull request that changes no remediation', async () => {
    const head = await commitOn(w.repo, w.base, 'Docs', () => writeFile(join(w.repo, 'NOTES.md'), 'notes\n'));
    const r = await act(head);
    expect(r.result).toMatchObject({ ok: true, checked: 0, verified: 0 });
    expect(r.summary).toContain('not a remediation pull request');
  }, 60_000);
});
