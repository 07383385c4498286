/** `salve plan`: detections in, a signed remediation branch (or, with --dry-run, a look at one) out. */

import { ConfigError } from '../model/errors.ts';
import { counted } from '../model/words.ts';
import { keptRenders, type Outcome, type PlanRun, planSignals } from '../pipeline/run.ts';
import { generateEphemeralKey } from '../policy/index.ts';
import { loadSigningIdentity } from '../publish/index.ts';
import { type ConfigMemo, createBuildCache, loadConfig } from '../repo/index.ts';
import { createLogger } from '../telemetry/logger.ts';
import { indexDir, locateKustomize, rendersDir, type Tool } from '../tools/index.ts';
import { parse, repoDirOf, required } from './args.ts';
import { commitAuthor } from './author.ts';
import { type Env, PLAN_OPTIONS } from './commands.ts';
import { type DryRunView, dryRunView, type PlanBuilds } from './dry-run.ts';
import { findSigningKey } from './keys.ts';
import { describeOutcome, describeSkipped, NO_REMEDIATION, outcomeJson, skippedJson, terminalText } from './output.ts';
import { stdinToFile } from './stdin.ts';

export async function planCommand(args: string[], env: Env): Promise<number> {
  const values = parse('plan', args, PLAN_OPTIONS);
  const repoDir = repoDirOf(values.repo, process.cwd());
  if ((values.signal ?? []).length === 0) required('plan', 'signal', undefined);
  const stdin = values.signal?.includes('-') ? await stdinToFile(process.stdin) : null;
  try {
    const signalFiles = (values.signal ?? []).map((f) => (f === '-' && stdin ? stdin.path : f));
    return await plan(values, signalFiles, repoDir, env);
  } finally {
    await stdin?.cleanup();
  }
}

async function plan(
  values: ReturnType<typeof parse<typeof PLAN_OPTIONS>>,
  signalFiles: string[],
  repoDir: string,
  env: Env,
): Promise<number> {
  const dryRun = values['dry-run'] ?? false;
  const log = createLogger({
    level: env.SALVE_LOG_LEVEL ?? 'warn',
    format: env.SALVE_LOG_FORMAT === 'json' ? 'json' : 'text',
  });
  // The checkout's config names the keys; the run reads the commit's, parsed once when the same text.
  const configs: ConfigMemo = new Map();
  const { config } = await loadConfig(repoDir, configs);

  const found = await findSigningKey(repoDir, config, env);
  if (!found && !dryRun) {
    throw new ConfigError(
      'no proof signing key: run `salve init` (it makes one), or set SALVE_SIGNING_KEY / SALVE_SIGNING_KEY_FILE (ed25519 PKCS#8 PEM)',
    );
  }
  // The commit signing key is parsed and checked (openpgp, some tens of ms) while kustomize runs.
  const signer = async () => {
    const pgp = await loadSigningIdentity(env);
    return { pgp, author: await commitAuthor(values.author, env, config, pgp.armoredPrivateKey) };
  };
  // A dry run shows the rendered diff of the builds it judged: the run's builds are handed in and read again.
  const tool = kustomizeOf(env);
  const planBuilds: PlanBuilds | null = dryRun
    ? (() => {
        const renders = keptRenders(rendersDir(env), { ...tool, log, dryRun: true });
        return { builds: createBuildCache(), ...tool, ...(renders ? { renders } : {}) };
      })()
    : null;
  const run = await planSignals({
    repoDir,
    signalFiles,
    ...(values.cluster ? { cluster: values.cluster } : {}),
    signingKey: found?.key ?? generateEphemeralKey(),
    ...(dryRun ? {} : { signer }),
    ...(values.remote ? { remote: values.remote } : {}),
    ...(values['no-push'] ? { push: false } : {}),
    dryRun,
    ...tool,
    ...(planBuilds
      ? { builds: planBuilds.builds, ...(planBuilds.renders ? { renders: planBuilds.renders } : {}) }
      : { rendersDir: rendersDir(env) }),
    indexDir: indexDir(env),
    now: new Date(),
    log,
    configs,
  });
  const views = planBuilds ? await Promise.all(run.outcomes.map((o) => dryRunView(o, repoDir, planBuilds))) : null;
  if (values.json) printJson(run, views, dryRun && !found);
  else printText(run, views, dryRun && !found);
  return exitCodeFor(run.outcomes);
}

/**
 * kustomize, found once for the run (each build looked along PATH again, about 1 ms apiece). Not
 * found: the run goes on, and only a build that needs it fails, naming what to do.
 */
function kustomizeOf(env: Env): { kustomize?: Tool } {
  try {
    return { kustomize: locateKustomize(env) };
  } catch {
    return {};
  }
}

function printJson({ outcomes, skipped }: PlanRun, views: (DryRunView | null)[] | null, ephemeralKey: boolean): void {
  const objects = outcomes.map((o, i) => ({
    ...outcomeJson(o),
    ...(views ? { dryRun: true, ...(views[i] ?? {}) } : {}),
  }));
  const primary = objects[0] ?? { ...NO_REMEDIATION, outcome: 'none' };
  const extra = ephemeralKey ? { proofKey: 'ephemeral' } : {};
  process.stdout.write(
    `${JSON.stringify({ ...primary, ...extra, incidents: objects.length, results: objects, skipped: skipped.map(skippedJson) }, null, 2)}\n`,
  );
}

function section(title: string, body: string): string {
  return `\n── ${title} ${'─'.repeat(Math.max(3, 72 - title.length))}\n${body.trimEnd()}\n`;
}

function printText({ outcomes, skipped }: PlanRun, views: (DryRunView | null)[] | null, ephemeralKey: boolean): void {
  // Alert text and repo content reach the terminal: inert, whatever they hold.
  const out = (text: string) => process.stdout.write(`${terminalText(text)}\n`);
  // What was left out comes first: an alert salve could not read is the likeliest surprise.
  for (const line of describeSkipped(skipped)) out(line);
  if (outcomes.length === 0) {
    const note = skipped.length > 0 ? ` (${counted(skipped.length, 'alert')} skipped, above)` : '';
    out(`nothing to do: no firing signal needs an action${note}`);
  }
  outcomes.forEach((o, i) => {
    out(describeOutcome(o));
    const view = views?.[i];
    if (!views) return;
    if (!view) {
      out('dry run   nothing would be written');
      return;
    }
    out(`dry run   nothing written; without --dry-run salve would ${view.wouldWrite}`);
    if (ephemeralKey) out('          (proof signed with a throw-away key: no proof signing key is configured here)');
    if (view.pullRequest) out(section('pull request', `${view.pullRequest.title}\n\n${view.pullRequest.body}`));
    else if (o.result.kind !== 'none' && 'explanation' in o.result) out(section('explanation', o.result.explanation));
    out(section('kustomization diff', view.fileDiff || '(no file changes)'));
    if (view.records.length > 0) out(`plus the remediation record: ${view.records.join(', ')}`);
    out(section('rendered diff', view.renderedDiff || '(the rendered overlay does not change)'));
  });
}

export function exitCodeFor(outcomes: Outcome[]): number {
  return outcomes.some((o) => o.result.kind === 'denied') ? 3 : 0;
}
