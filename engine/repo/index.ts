/** repo: the config repo — one commit's files, .salve.yaml, Argo CD Applications, overlays, kustomize builds, git history. */
export { applicationsDigest, applicationsIn, discoverApplications, normalisePath } from './applications.ts';
export { type BlobSizes, openBlobSizes } from './blob-sizes.ts';
export {
  type BuildCache,
  type BuildOptions,
  type BuildResult,
  buildOverlay,
  createBuildCache,
} from './build-overlay.ts';
export { withChanges } from './changes.ts';
export { type CommitIndex, type KeptNames, openCommitIndex } from './commit-index.ts';
export {
  clusterAliases,
  deploysTo,
  environmentFor,
  IN_CLUSTER_NAME,
  IN_CLUSTER_SERVER,
  inferTier,
  isInCluster,
  tierFromWords,
} from './environment.ts';
export { directoryTree } from './fs-tree.ts';
export { globMatcher, globToRegExp, matchesAny, walkFiles } from './glob.ts';
export { type ImageRevision, imageHistory } from './image-history.ts';
export { type ConfigMemo, loadConfig } from './load-config.ts';
export { type ManifestRevision, manifestImageHistory } from './manifest-image-history.ts';
export { createNamesCache, type NamesCache, type OverlayNames } from './may-render.ts';
export { findObject, namespaceLabels } from './objects.ts';
export { KUSTOMIZATION_FILES, type OverlayInputs, overlayInputs } from './overlay-inputs.ts';
export { cleanPath, isCleanPath, parentOf, resolveInside } from './paths.ts';
export { createRenderStore, type RenderStoreOptions } from './render-store.ts';
export { type ResolveContext, resolveOverlay } from './resolve-overlay.ts';
export { createScratch, materialize, type Scratch } from './scratch.ts';
export { openSnapshot, type Snapshot } from './snapshot.ts';
export { type RepoSource, treeOf } from './source.ts';
export {
  listDir,
  MAX_FILE_BYTES,
  type RepoTree,
  readFileBytes,
  readFileText,
  resolvePath,
  type TreeStat,
} from './tree.ts';
export { openWordHits, type WordHits } from './word-hits.ts';
