/** `opa test` with coverage over salve's policies and the repo's own, as annotations on the Rego files. */
import { relative, resolve, sep } from 'node:path';
import { DEFAULT_POLICIES_DIR } from '../pipeline/assets.ts';
import { type PolicyTestReport, runPolicyTests } from '../policy/index.ts';
import type { Annotation } from './types.ts';

/** A path as the annotation names it: repo-relative inside the workspace, `salve/…` for salve's own. */
export function annotationPath(workspace: string, file: string): string {
  const abs = resolve(file);
  if (abs.startsWith(`${DEFAULT_POLICIES_DIR}${sep}`))
    return `salve/policies/${relative(DEFAULT_POLICIES_DIR, abs).split(sep).join('/')}`;
  const rel = relative(workspace, abs);
  return rel.startsWith('..') ? abs : rel.split(sep).join('/');
}

/** `file:row` as opa prints a test's location. */
function splitLocation(location: string): { file: string; line?: number } {
  const at = location.lastIndexOf(':');
  const line = Number(location.slice(at + 1));
  return at > 0 && Number.isInteger(line) && line > 0 ? { file: location.slice(0, at), line } : { file: location };
}

export async function testPolicies(
  workspace: string,
  dirs: string[],
  threshold: number,
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ report: PolicyTestReport; annotations: Annotation[] }> {
  const report = await runPolicyTests([DEFAULT_POLICIES_DIR, ...dirs], { threshold, env });
  const annotations: Annotation[] = report.failures.map((f) => {
    const { file, line } = splitLocation(f.file);
    return {
      level: 'error',
      file: annotationPath(workspace, file),
      ...(line ? { line } : {}),
      title: `policy test failed: ${f.test}`,
      message: f.message,
    };
  });
  if (report.coverage < threshold) {
    const own = report.uncovered.filter((u) => !resolve(u.file).startsWith(`${DEFAULT_POLICIES_DIR}${sep}`));
    const first = own[0] ?? report.uncovered[0];
    annotations.push({
      level: 'error',
      ...(first
        ? { file: annotationPath(workspace, first.file), ...(first.lines[0] ? { line: first.lines[0] } : {}) }
        : {}),
      title: 'policy coverage below threshold',
      message: `policy tests cover ${report.coverage}% of the policy lines, below the threshold of ${threshold}%${
        first ? `; not covered here: lines ${first.lines.slice(0, 20).join(', ')}` : ''
      }`,
    });
    for (const u of own.slice(1, 10)) {
      annotations.push({
        level: 'warning',
        file: annotationPath(workspace, u.file),
        ...(u.lines[0] ? { line: u.lines[0] } : {}),
        title: 'policy lines not covered by tests',
        message: `lines ${u.lines.slice(0, 20).join(', ')} are not exercised by any test`,
      });
    }
  }
  return { report, annotations };
}
