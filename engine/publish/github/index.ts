/** Publishing remediations as pull requests on GitHub. */
export { hasRequiredChecks, reconcileAutoMerge } from './auto-merge.ts';
export { CHECK_NAME, checkSummary, conclusionOf, reportCheck } from './check-run.ts';
export { parseCodeowners, readCodeowners, reviewersFor } from './codeowners.ts';
export { createRemediationCommit } from './commit.ts';
export { frozenBy, noteFrozen } from './freeze.ts';
export { capReached, closeSuperseded, listSalvePulls } from './inventory.ts';
export { contentHash, filesHash, labelsFor, readHashes, readMetadata, renderBody } from './markers.ts';
export { ensurePullRequest } from './pull-request.ts';
export type { CommitWriter, GitHubContext, PublishInput, PublishLimits, PublishOutcome, RepoRef } from './types.ts';
