/** `salve demo`: every sample signal, end to end, against the example config repo in a temp dir. */
import { rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Published, runLoop } from '../demo/loop.ts';
import { createDemoWorld, DEMO_NOW, EXAMPLE_SIGNALS } from '../demo/setup.ts';
import { SalveError } from '../model/errors.ts';
import { policyDirs, runPlan } from '../pipeline/run.ts';
import { buildBundle, publicKeyInfo } from '../policy/index.ts';
import { loadConfig } from '../repo/index.ts';
import { createLogger } from '../telemetry/logger.ts';
import { toolsDir } from '../tools/index.ts';
import { verifyRef } from '../verify/index.ts';
import { parse } from './args.ts';
import { DEMO_OPTIONS, type Env } from './commands.ts';
import { describeOutcome } from './output.ts';

/** Pod objects carry no cluster; the sample pods are all from production. */
function clusterFor(file: string): string | undefined {
  return file.startsWith('pod-') ? 'production' : undefined;
}

export async function demoCommand(args: string[], env: Env): Promise<number> {
  const values = parse('demo', args, DEMO_OPTIONS);
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const log = createLogger({
    level: env.SALVE_LOG_LEVEL ?? 'warn',
    format: env.SALVE_LOG_FORMAT === 'json' ? 'json' : 'text',
  });
  const world = await createDemoWorld();
  // Ctrl-C: the server launchers kill their processes in the same signal; then the temp dir goes.
  // (on, not once: the launchers re-raise a signal nobody else listens to, before this could run)
  const onSignal = () =>
    setImmediate(() => {
      rmSync(world.root, { recursive: true, force: true, maxRetries: 3 });
      process.exit(130);
    });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let failures = 0;
  const published: Published[] = [];
  try {
    out(`salve demo: example config repo at ${world.work} (HEAD ${world.head.slice(0, 12)})`);
    out(
      `remote: ${world.server ? 'bare repo served by git http-backend on 127.0.0.1' : 'none'}; clock: ${DEMO_NOW.toISOString()}`,
    );
    const { config } = await loadConfig(world.work);
    const bundle = await buildBundle(policyDirs(world.work, config));
    out(`policy bundle ${bundle.digest}`);
    const files = (await readdir(EXAMPLE_SIGNALS)).filter((f) => f.endsWith('.json')).sort();
    for (const file of files) {
      out();
      out(`── ${file}`);
      try {
        const cluster = clusterFor(file);
        const outcomes = await runPlan({
          repoDir: world.work,
          signalFiles: [join(EXAMPLE_SIGNALS, file)],
          ...(cluster ? { cluster } : {}),
          signingKey: world.signingKey,
          pgp: world.pgp,
          author: { name: 'salve', email: 'salve-demo@example.org' },
          now: DEMO_NOW,
          log,
        });
        if (outcomes.length === 0) out('no incident: nothing firing needs an action (resolved alerts never do)');
        for (const o of outcomes) {
          out(describeOutcome(o));
          if (o.result.kind !== 'publish' || !o.branch) continue;
          const id = o.result.remediation.id;
          published.push({ remediation: o.result.remediation, branch: o.branch });
          const verdicts = await verifyRef({
            repoDir: world.work,
            ref: o.branch,
            bundle,
            trustedKeys: [publicKeyInfo(world.publicKey, 'demo key')],
          });
          const verdict = verdicts.find((v) => v.id === id);
          if (verdict?.ok)
            out(
              `verify    ok (signature ${verdict.keyid?.slice(0, 16)}, decision re-evaluated, rendered diff re-rendered)`,
            );
          else {
            failures++;
            out(
              `verify    FAILED: ${verdict ? verdict.errors.map((e) => `${e.file}: ${e.reason}`).join('; ') : 'remediation not found on branch'}`,
            );
          }
        }
      } catch (err) {
        if (!(err instanceof SalveError)) throw err;
        out(`error     ${err.message} (exit ${err.exitCode})`);
      }
    }
    failures += await runLoop({ world, published, out, log, now: DEMO_NOW, tools: toolsDir(env) });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (values.keep) {
      await world.stop();
      out(`\nkept ${world.root} (work repo platform-config/, bare remote remotes/platform-config.git)`);
    } else await world.close();
  }
  return failures === 0 ? 0 : 1;
}
