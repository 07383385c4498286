/** What the Action reports: annotations on files, and its overall result. */
import type { PolicyTestReport } from '../policy/index.ts';
import type { Verdict } from '../verify/index.ts';
import type { ScopeProblem } from '../verify/scope.ts';

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  /** Path relative to the repository root (the workspace), as GitHub places annotations. */
  file?: string;
  line?: number;
  title: string;
  message: string;
}

export interface ActionResult {
  ok: boolean;
  /** Remediations changed by the pull request that passed every check. */
  verified: number;
  /** Remediations changed by the pull request that were checked. */
  checked: number;
  policyTests: PolicyTestReport | null;
  verdicts: Verdict[];
  /** Files the pull request changes that no signed remediation covers. */
  scope: ScopeProblem[];
  annotations: Annotation[];
  /** The job summary, as markdown. */
  summary: string;
}
