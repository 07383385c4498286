/** Runs `opa test` over policy directories: pass/fail per test and line coverage of the policies. */
import { PolicyError } from '../model/errors.ts';
import { locateOpa } from '../tools/index.ts';
import { execTool } from './exec.ts';
import { isTestFile } from './sources.ts';

export interface PolicyTestReport {
  passed: number;
  failed: number;
  /** Percent of the policy (non-test) lines covered, 0-100. */
  coverage: number;
  failures: { file: string; test: string; message: string }[];
  uncovered: { file: string; lines: number[] }[];
  /** No failures and coverage at or above the threshold. */
  ok: boolean;
}

interface OpaTestResult {
  location?: { file?: string; row?: number };
  package?: string;
  name?: string;
  fail?: boolean;
  skip?: boolean;
  error?: { message?: string; code?: string };
  output?: string;
}

interface Span {
  start: { row: number };
  end: { row: number };
}

interface OpaCoverage {
  files?: Record<string, { covered_lines?: number; not_covered_lines?: number; not_covered?: Span[] }>;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function parseJson<T>(stdout: string, what: string, stderr: string): T {
  try {
    return JSON.parse(stdout) as T;
  } catch (err) {
    throw new PolicyError(`opa test (${what}) gave no JSON: ${stderr.trim() || stdout.slice(0, 500)}`, { cause: err });
  }
}

export async function runPolicyTests(
  policyDirs: string[],
  opts: { threshold?: number; env?: Readonly<Record<string, string | undefined>> } = {},
): Promise<PolicyTestReport> {
  const opa = locateOpa(opts.env);
  const plain = await execTool(opa, ['test', '--format', 'json', ...policyDirs]);
  const results = parseJson<OpaTestResult[]>(plain.stdout, 'results', plain.stderr);
  const isFailure = (r: OpaTestResult) => Boolean(r.fail || r.error);
  const failures = results.filter(isFailure).map((r) => ({
    file: `${r.location?.file ?? '?'}:${r.location?.row ?? 0}`,
    test: `${r.package ?? ''}.${r.name ?? ''}`.replace(/^data\./, ''),
    message: r.error?.message ?? (r.output?.trim() || 'test failed (a rule body was false or undefined)'),
  }));
  const passing = results.filter((r) => !isFailure(r) && !r.skip);

  // opa prints no coverage report when a test fails: measure what the passing tests cover.
  const only =
    failures.length === 0
      ? []
      : ['--run', `^(${passing.map((r) => escapeRegex(`${r.package}.${r.name}`)).join('|')})$`];
  const withCoverage =
    passing.length === 0
      ? { stdout: '{}', stderr: '' }
      : await execTool(opa, ['test', '--coverage', '--format', 'json', ...only, ...policyDirs]);
  const cov = parseJson<OpaCoverage>(withCoverage.stdout, 'coverage', withCoverage.stderr);
  let covered = 0;
  let total = 0;
  const uncovered: PolicyTestReport['uncovered'] = [];
  for (const [file, f] of Object.entries(cov.files ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (isTestFile(file)) continue;
    covered += f.covered_lines ?? 0;
    total += (f.covered_lines ?? 0) + (f.not_covered_lines ?? 0);
    const lines = new Set<number>();
    for (const span of f.not_covered ?? []) for (let l = span.start.row; l <= span.end.row; l++) lines.add(l);
    if (lines.size > 0) uncovered.push({ file, lines: [...lines].sort((a, b) => a - b) });
  }
  const coverage = total === 0 ? 0 : Math.round((covered / total) * 10000) / 100;
  const threshold = opts.threshold ?? 0;
  return {
    passed: passing.length,
    failed: failures.length,
    coverage,
    failures,
    uncovered,
    ok: failures.length === 0 && coverage >= threshold,
  };
}
