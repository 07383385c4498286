/** repo: the config repo — .salve.yaml, Argo CD Applications, overlays, kustomize builds, git history. */
export { applicationsIn, discoverApplications, normalisePath } from './applications.ts';
export {
  type BuildCache,
  type BuildOptions,
  type BuildResult,
  buildOverlay,
  createBuildCache,
} from './build-overlay.ts';
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
export { globToRegExp, matchesAny, walkFiles } from './glob.ts';
export { type ImageRevision, imageHistory } from './image-history.ts';
export { loadConfig } from './load-config.ts';
export { findObject, namespaceLabels } from './objects.ts';
export { KUSTOMIZATION_FILES, overlayDigest } from './overlay-inputs.ts';
export { type ResolveContext, resolveOverlay } from './resolve-overlay.ts';
