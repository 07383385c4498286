/**
 * A revert policy holds (observe, or denied by a change freeze) is said on the merged PR, once:
 * the rule that held it and why, the files it would restore, and the commands that open it by
 * hand. Real config repo, git, kustomize and policy; GitHub is nock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SalveOctokit } from '../../engine/app/github.ts';
import { outcomeRecord } from '../../engine/followup/record.ts';
import { REVERT_HELD_MARKER } from '../../engine/followup/revert/held.ts';
import { createRevertHook } from '../../engine/followup/revert/hook.ts';
import type { GitHubContext } from '../../engine/publish/github/types.ts';
import { silentLogger } from '../../engine/telemetry/logger.ts';
import * as gh from '../app/github-flows.ts';
import { BOT, OWNER, REPO } from '../app/github-replies.ts';
import { type HttpMock, httpMock } from '../app/http-mock.ts';
import { testKeys } from '../pipeline/helpers.ts';
import {
  git,
  harmfulOutcome,
  jobOf,
  localCheckout,
  type MergedWorld,
  mergedRemediation,
  PULL,
} from './revert-world.ts';

function github(): GitHubContext {
  const octokit = new SalveOctokit({
    auth: 'ghs_test',
    log: { debug() {}, info() {}, warn() {}, error() {} },
    request: { retries: 0 },
    retry: { retries: 0 },
    throttle: { enabled: false },
  });
  return { octokit, repo: { owner: OWNER, repo: REPO }, botLogin: BOT, log: silentLogger(), now: new Date() };
}

let world: MergedWorld | null = null;
let http: HttpMock | null = null;
afterEach(async () => {
  http?.reset();
  http = null;
  await world?.repo.cleanup();
  world = null;
});

async function hookFor(w: MergedWorld) {
  return createRevertHook({
    github: async () => github(),
    tokenFor: async () => 'ghs_test',
    checkout: localCheckout(w.repo.dir),
    signingKey: (await testKeys()).signingKey,
    log: silentLogger(),
  });
}

/** Runs the hook against the PR's comments as GitHub lists them, expecting `writes`; returns what salve wrote. */
async function runHook(
  w: MergedWorld,
  existing: Array<{ id: number; body: string }>,
  writes: 'create' | 'update' | 'none',
) {
  const hook = await hookFor(w);
  const job = jobOf(w);
  const outcome = harmfulOutcome();
  const mock = httpMock();
  http = mock;
  const written: Array<{ how: 'create' | 'update'; body: string }> = [];
  mock.scope
    .get(`${gh.REPO_PATH}/issues/${PULL}/comments`)
    .query(true)
    .reply(
      200,
      existing.map((c) => ({ ...c, user: { login: BOT, type: 'Bot' } })),
    );
  if (writes === 'create')
    mock.scope
      .post(`${gh.REPO_PATH}/issues/${PULL}/comments`, (b: { body: string }) => {
        written.push({ how: 'create', body: b.body });
        return true;
      })
      .reply(201, { id: 77 });
  if (writes === 'update')
    mock.scope
      .patch(`${gh.REPO_PATH}/issues/comments/77`, (b: { body: string }) => {
        written.push({ how: 'update', body: b.body });
        return true;
      })
      .reply(200, { id: 77 });
  const result = await hook(job, outcome, outcomeRecord(job, outcome));
  mock.verify();
  return { result, written };
}

describe('a revert held by policy is said on the merged PR', () => {
  it('denied by a change freeze: one comment naming the rule, the files, and the commands; edited, never repeated', async () => {
    // The freeze starts after the fix was planned (10:00) and covers the outcome (11:00).
    world = await mergedRemediation(
      'freezes:\n  - name: "quarter-end <img src=x onerror=alert(1)> @acme/sre"\n    from: "2025-06-12T10:30:00Z"\n    to: "2025-06-13T00:00:00Z"\n',
    );
    const w = world;
    const first = await runHook(w, [], 'create');
    expect(first.result.kind).toBe('denied');
    expect(first.written).toHaveLength(1);
    const body = first.written[0]?.body ?? '';
    expect(body.startsWith(REVERT_HELD_MARKER)).toBe(true);
    expect(body).toContain('salve planned a revert and did not open it');
    expect(body).toContain('policy **denied** it');
    expect(body).toContain('| `admission.change-freeze` | deny |');
    // The freeze's name comes from the config repo: inert text, the mention defused.
    expect(body).toContain('\\<img src=x onerror=alert(1)\\>');
    expect(body).not.toMatch(/(^|[^\\])<img/);
    expect(body).not.toContain('@acme');
    // The harm, and that it overrides the score.
    expect(body).toContain('AnalysisRun frontend-7c9d-2 Failed');
    expect(body).toContain('the harm overrides the score');
    // The files the revert would restore: those the merge changed in the overlay.
    const parent = git(w.repo.dir, ['rev-parse', `${w.mergeSha}^1`]);
    const restored = git(w.repo.dir, ['diff', '--name-only', '--diff-filter=M', parent, w.mergeSha])
      .split('\n')
      .filter((f) => f !== '' && !f.startsWith('.salve/'));
    expect(restored.length).toBeGreaterThan(0);
    for (const f of restored) expect(body).toContain(`- \`${f}\``);
    expect(body).toContain(`\`${parent.slice(0, 12)}\`, the merge's first parent`);
    // And the files it would delete: those the merge added in the overlay.
    const added = git(w.repo.dir, ['diff', '--name-only', '--diff-filter=A', parent, w.mergeSha])
      .split('\n')
      .filter((f) => f !== '' && !f.startsWith('.salve/'));
    expect(added).toHaveLength(1);
    expect(body).toContain(`and deletes 1 file the merge added:\n\n- \`${added[0]}\``);
    expect(body).toContain(
      `git fetch origin main\ngit switch -c revert-pr-${PULL} origin/main\ngit revert --no-edit -m 1 ${w.mergeSha}\ngit push origin revert-pr-${PULL}`,
    );
    // The command does what it says, on the real repo: the overlay files go back to the parent's bytes.
    git(w.repo.dir, ['checkout', '-q', '-f', '-B', `revert-pr-${PULL}`, 'main']);
    git(w.repo.dir, [
      '-c',
      'user.name=dev',
      '-c',
      'user.email=dev@example.com',
      'revert',
      '--no-edit',
      '-m',
      '1',
      w.mergeSha,
    ]);
    for (const f of restored)
      expect(git(w.repo.dir, ['rev-parse', `HEAD:${f}`])).toBe(git(w.repo.dir, ['rev-parse', `${parent}:${f}`]));
    git(w.repo.dir, ['checkout', '-q', '-f', 'main']);

    // A rerun finds its comment as it is and writes nothing.
    const again = await runHook(w, [{ id: 77, body }], 'none');
    expect(again.result.kind).toBe('denied');
    expect(again.written).toEqual([]);

    // An older wording of the comment is edited in place, not answered with a second one.
    const edited = await runHook(w, [{ id: 77, body: `${REVERT_HELD_MARKER}\nan earlier decision` }], 'update');
    expect(edited.written).toEqual([{ how: 'update', body }]);
  });

  it('observe for reverts in the trust rules: the comment says observe and names the rule that advised it', async () => {
    world = await mergedRemediation('  rules:\n    - action: revert-remediation\n      mode: observe\n');
    const { result, written } = await runHook(world, [], 'create');
    expect(result.kind).toBe('observe');
    const body = written[0]?.body ?? '';
    expect(body).toContain('policy decided **observe**');
    expect(body).toMatch(/\| `[a-z.-]+` \| advisory \|/);
    expect(body).toContain(`git revert --no-edit -m 1 ${world.mergeSha}`);
  });
});
