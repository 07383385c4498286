/** The local publisher: signed branches in a git repo, pushed over smart HTTP; readers for verification. */
export { createBareRemote, type GitServer, repoPath, startGitServer } from './git-server.ts';
export { publishLocal, type PublishLocalOptions, type PublishLocalResult } from './local.ts';
export { recordObservation, recordPullRequest } from './observations.ts';
export { generateSigningIdentity, loadSigningIdentity, type SigningIdentity, type SigningKey } from './pgp.ts';
export { changedFiles, readRemediations, REMEDIATIONS_DIR } from './read.ts';
