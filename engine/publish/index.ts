/** The local publisher: signed branches in a git repo, pushed over smart HTTP; readers for verification. */
export { createBareRemote, type GitServer, repoPath, startGitServer } from './git-server.ts';
export { type PublishLocalOptions, type PublishLocalResult, publishLocal } from './local.ts';
export { recordObservation, recordPullRequest } from './observations.ts';
export { generateSigningIdentity, loadSigningIdentity, type SigningIdentity, type SigningKey } from './pgp.ts';
export { changedFiles, REMEDIATIONS_DIR, readRemediations } from './read.ts';
