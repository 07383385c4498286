/** The `salve` command line: the only place besides the App and the Action that reads argv and env. */
import { redact, SalveError } from '../model/errors.ts';
import { demoCommand } from './demo.ts';
import { planCommand } from './plan.ts';
import { testPoliciesCommand } from './test-policies.ts';
import { verifyCommand } from './verify.ts';

const USAGE = `usage: salve <command> [options]

commands:
  plan           --repo <dir> --signal <file> [--signal <file>...] [--cluster <name>] [--json]
                 detection in, signed remediation branch (or observe-only record) out
  verify         --repo <dir> [--ref <branch>] [--base <branch>] [--key <public.pem>...] [--json]
                 re-check what a ref changes on its base branch, judged by the base branch
  demo           [--keep]  run every sample signal against the bundled example config repo
  serve          run as a GitHub App (see README)
  test-policies  [--policies <dir>...] [--threshold <pct>]  opa test with coverage

exit codes: 0 done, 2 bad input, 3 denied by policy, 4 verification failed, 1 internal error`;

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'plan':
      return planCommand(rest, env);
    case 'verify':
      return verifyCommand(rest, env);
    case 'demo':
      return demoCommand(rest, env);
    case 'serve': {
      const { serve } = await import('./serve.ts');
      return serve(rest, env);
    }
    case 'test-policies':
      return testPoliciesCommand(rest, env);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`salve: unknown command ${JSON.stringify(command)}\n${USAGE}\n`);
      return 2;
  }
}

export function reportError(err: unknown): number {
  if (err instanceof SalveError) {
    process.stderr.write(`salve: ${err.message}\n`);
    return err.exitCode;
  }
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`salve: internal error: ${redact(text)}\n`);
  return 1;
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (invokedDirectly) {
  main(process.argv.slice(2), process.env).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.exitCode = reportError(err);
    },
  );
}
