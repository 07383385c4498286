/**
 * The checkout (or installed package) root, where the CRDs and RBAC manifests the local cluster
 * installs are found. Server binaries are found in the tools cache the entry point names
 * (engine/tools/servers.ts).
 */
import { PROJECT_ROOT } from '../../pipeline/assets.ts';

export const REPO_ROOT = PROJECT_ROOT;
