/** Usage, help and version as a user meets them: every command answers --help, errors name the flag once. */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../engine/cli/commands.ts';
import { salve } from './run.ts';

const VERSION = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')).version;

let cwd: string;
beforeAll(async () => {
  // Outside any repository, as a newcomer's shell might be.
  cwd = await mkdtemp(join(tmpdir(), 'salve-help-'));
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('salve help and usage', () => {
  it.each(
    COMMANDS.map((c) => c.name),
  )('%s --help prints its usage, every flag and --log-level, and exits 0', async (name) => {
    const spec = COMMANDS.find((c) => c.name === name);
    for (const flag of ['--help', '-h']) {
      const run = await salve([name, flag], { cwd });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^usage: salve ${name}\\b`));
      for (const option of Object.keys(spec?.options ?? {})) expect(run.stdout).toContain(`--${option}`);
      expect(run.stdout).toContain('--log-level <level>');
      expect(run.stdout).toMatch(/exit codes: /);
    }
  });

  it('serve --help prints usage instead of starting a server (no App settings are needed)', async () => {
    const run = await salve(['serve', '--help'], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('SALVE_ALERTMANAGER_TOKEN');
  });

  it('salve --help lists every command and the exit codes; help <command> is <command> --help', async () => {
    const run = await salve(['--help'], { cwd });
    expect(run.code).toBe(0);
    for (const c of COMMANDS) expect(run.stdout).toMatch(new RegExp(`^  ${c.name} `, 'm'));
    expect(run.stdout).toContain(
      'exit codes: 0 done, 1 failed (an internal error, a tool or a push), 2 bad input or configuration, 3 denied by policy, 4 verification failed',
    );
    const help = await salve(['help', 'plan'], { cwd });
    const direct = await salve(['plan', '--help'], { cwd });
    expect(help.stdout).toBe(direct.stdout);
    const bare = await salve([], { cwd });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('usage: salve <command>');
  });

  it('--version prints the package version', async () => {
    for (const flag of ['--version', '-V', 'version']) {
      const run = await salve([flag], { cwd });
      expect(run).toEqual({ code: 0, stdout: `salve ${VERSION}\n`, stderr: '' });
    }
  });

  it('a wrong flag, a missing value, an extra argument: exit 2, named once, pointing at the help', async () => {
    expect(await salve(['plan', '--bogus'], { cwd })).toEqual({
      code: 2,
      stdout: '',
      stderr: "salve plan: unknown option --bogus (see 'salve plan --help')\n",
    });
    expect((await salve(['plan', '--repo'], { cwd })).stderr).toBe(
      "salve plan: option --repo needs a value (see 'salve plan --help')\n",
    );
    expect((await salve(['validate', 'extra'], { cwd })).stderr).toBe(
      'salve validate: unexpected argument "extra" (see \'salve validate --help\')\n',
    );
    const typo = await salve(['plna'], { cwd });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe("salve: unknown command \"plna\"; did you mean 'plan'? (see 'salve --help')\n");
  });

  it('--log-level is accepted by every command and checked', async () => {
    const bad = await salve(['--log-level', 'loud', 'validate'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--log-level must be one of trace, debug, info, warn, error, fatal, silent');
    const late = await salve(['validate', '--log-level=debug'], { cwd });
    expect(late.code).toBe(2);
    expect(late.stderr).toContain('is not inside a git repository: pass --repo <dir>');
  });

  it('--json errors are one JSON object on stdout, nothing on stderr', async () => {
    const run = await salve(['validate', '--json'], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      error: { code: 'bad-input', message: `${cwd} is not inside a git repository: pass --repo <dir>`, exitCode: 2 },
    });
    const usage = await salve(['plan', '--json', '--nope'], { cwd });
    expect(JSON.parse(usage.stdout).error).toMatchObject({ code: 'bad-usage', exitCode: 2 });
  });
});
