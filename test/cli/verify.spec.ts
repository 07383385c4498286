/**
 * `salve verify` as a user runs it on a checkout, against branches that try to slip something past
 * it: trust comes from the base branch, never from the ref under test or the working tree.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createHostileHeads,
  createPullRequestWorld,
  git,
  type HostileHeads,
  type PullRequestWorld,
} from '../github-action/world.ts';

import { type Run, salve as run } from './run.ts';

/** The compiled CLI (bin/salve), as users run it. */
function salve(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return run(args, { env });
}

let w: PullRequestWorld;
let h: HostileHeads;

beforeAll(async () => {
  w = await createPullRequestWorld();
  h = await createHostileHeads(w);
}, 180_000);

afterAll(async () => {
  await w?.close();
});

const verify = (...args: string[]) => salve(['verify', '--repo', w.repo, ...args]);

describe('salve verify', () => {
  const record = () => `.salve/remediations/${w.valid.id}`;

  it('passes the remediation salve planned, naming the base branch it judged it by', async () => {
    const run = await verify('--ref', w.valid.head, '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: true,
      base: { ref: 'main', commit: w.base },
      remediations: [{ id: w.valid.id, ok: true, action: 'raise-hpa-max-replicas' }],
      scope: [],
    });
  });

  it('exits 4 on an explanation rewritten in the signing commit, naming the file', async () => {
    const run = await verify('--ref', h.explanation);
    expect(run.code).toBe(4);
    expect(run.stdout).toContain(`FAIL  ${w.valid.id}`);
    expect(run.stdout).toContain(`${record()}/explanation.md: differs from the content its proof signs`);
  });

  it('exits 4 on an extra file in the record or elsewhere under .salve/, added in the signing commit', async () => {
    const extra = await verify('--ref', h.recordExtra);
    expect(extra.code).toBe(4);
    expect(extra.stdout).toContain(
      `${record()}/post-merge.sh: changed since the proof's base commit, but not signed by its proof`,
    );
    const template = await verify('--ref', h.salveExtra);
    expect(template.code).toBe(4);
    expect(template.stdout).toContain(
      ".salve/templates/explanation.hbs: changed since the proof's base commit, but not signed by its proof",
    );
  });

  it.each([
    ['adds only a trusted key', 'keysOnly', '.salve/keys/ops.pub'],
    ['only loosens .salve.yaml', 'configOnly', '.salve.yaml'],
    ['only adds a template under .salve/', 'templateOnly', '.salve/templates/pr-body.hbs'],
  ] as const)('exits 4 on a branch that %s, naming the file', async (_what, which, file) => {
    const run = await verify('--ref', h[which]);
    expect(run.code).toBe(4);
    expect(run.stdout).toContain(`${file}: changes salve's own configuration (policy, trust or templates)`);
  });

  it('judges a checked-out branch that trusts its own key and loosens policy by the base branch, not by itself', async () => {
    git(w.repo, 'checkout', '-q', '-b', 'review/mallory', h.ownKey.head);
    try {
      const run = await verify();
      expect(run.code).toBe(4);
      expect(run.stdout).toContain(`FAIL  ${h.ownKey.id}`);
      expect(run.stdout).toMatch(
        new RegExp(`proof\\.dsse\\.json: no trusted key matched: signed by ${h.ownKey.keyid}`),
      );
      expect(run.stdout).toMatch(/proof\.dsse\.json: planned on commit [0-9a-f]{12}, which is not on the base branch/);
      for (const file of ['.salve/keys/mallory.pub', '.salve.yaml', 'policy/guard.rego'])
        expect(run.stdout).toContain(`${file}: changed by this pull request outside any signed remediation`);

      // The working tree does not count either: a looser .salve.yaml there changes nothing.
      await writeFile(join(w.repo, 'NOTES.md'), 'uncommitted\n');
      const json = JSON.parse((await verify('--json')).stdout);
      expect(json).toMatchObject({ ok: false, base: { ref: 'main', commit: w.base } });
    } finally {
      git(w.repo, 'checkout', '-q', '-f', 'main');
      git(w.repo, 'clean', '-qfd');
    }
  });

  it('exits 4 on a remediation planned on a commit that is not on the base branch', async () => {
    const run = await verify('--ref', h.offBase.head);
    expect(run.code).toBe(4);
    expect(run.stdout).toContain(
      `planned on commit ${h.offBase.base.slice(0, 12)}, which is not on the base branch (${w.base.slice(0, 12)})`,
    );
  });

  it('takes the base from origin/<branch> over the local branch when both exist, and --base names another', async () => {
    // origin/main as last fetched, before the commit the remediation was planned on.
    git(w.repo, 'update-ref', 'refs/remotes/origin/main', `${w.base}~1`);
    try {
      const stale = await verify('--ref', w.valid.head, '--json');
      expect(stale.code).toBe(4);
      const json = JSON.parse(stale.stdout);
      expect(json.base).toEqual({ ref: 'origin/main', commit: git(w.repo, 'rev-parse', `${w.base}~1`) });
      expect(JSON.stringify(json.remediations)).toContain('which is not on the base branch');

      const local = await verify('--ref', w.valid.head, '--base', 'refs/heads/main');
      expect(local.code).toBe(0);
      expect(local.stdout).toContain(`base  refs/heads/main ${w.base.slice(0, 12)}`);
    } finally {
      git(w.repo, 'update-ref', '-d', 'refs/remotes/origin/main');
    }
  });

  it('exits 2 when the ref changes nothing salve verifies, and names an unknown base', async () => {
    const docs = git(w.repo, 'rev-parse', 'side~0');
    const none = await verify('--ref', docs, '--base', 'side');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no remediation');
    const unknown = await verify('--ref', w.valid.head, '--base', 'no-such-branch');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no-such-branch');
  });
});
