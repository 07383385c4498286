/** What the GitHub publisher needs and what it reports. */
import type { Octokit } from '@octokit/rest';
import type { PolicyDecision } from '../../model/index.ts';
import type { PublishRequest } from '../../model/remediation.ts';

export interface RepoRef {
  owner: string;
  repo: string;
}

type LogFn = (obj: object, msg: string) => void;

export interface GitHubContext {
  octokit: Octokit;
  repo: RepoRef;
  /** The App's bot account (`<slug>[bot]`): the only author salve accepts on its branches. */
  botLogin: string;
  log: { info: LogFn; warn: LogFn; debug: LogFn };
  now: Date;
  /**
   * How the remediation commit reaches the branch. Default: the Git Data API (Verified commits).
   * The git path (signed commits pushed over HTTPS) plugs in here.
   */
  writeCommit?: CommitWriter;
  /** Commit author e-mails that count as salve's own besides the bot account (the git path's identity). */
  ownEmails?: string[];
}

/** Puts one commit for `req` on its branch (created or force-moved) and returns its sha. */
export type CommitWriter = (req: PublishRequest, branchExists: boolean) => Promise<string>;

/** One remediation to publish, with what the check run and auto-merge need. */
export interface PublishInput {
  request: PublishRequest;
  decision: PolicyDecision;
  proofDigest: string;
}

export interface PublishLimits {
  holdPeriodMs: number;
  openPullRequests: number;
  pullRequestsPerHour: number;
}

export type PublishOutcome =
  /** `baseMoved`: the base branch moved after the checkout the remediation was planned on. */
  | { kind: 'opened'; number: number; url: string; head: string; baseMoved?: boolean }
  | { kind: 'updated'; number: number; url: string; head: string }
  | { kind: 'unchanged'; number: number; url: string }
  | { kind: 'frozen'; number: number; url: string }
  | { kind: 'held'; number: number; closedAt: string }
  | { kind: 'capped'; reason: 'open-pull-requests' | 'pull-requests-per-hour'; limit: number };

/** A pull request as the REST API returns it, reduced to what salve reads. */
export interface PullSummary {
  number: number;
  node_id: string;
  html_url: string;
  state: string;
  body?: string | null;
  title: string;
  created_at: string;
  closed_at: string | null;
  merged_at: string | null;
  head: { ref: string; sha: string };
  labels: Array<{ name?: string } | string>;
  /** Who opened it. */
  user?: { login?: string } | null;
  auto_merge?: unknown;
}
