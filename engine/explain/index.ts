/** Explanations and PR content of remediations, rendered from overridable templates. */
export { metadataComment, parseMetadata } from './metadata.ts';
export {
  labelsFor,
  MAX_BODY,
  type RenderOptions,
  renderExplanation,
  renderPullRequest,
  salveLabels,
} from './render.ts';
export { BUILTIN_TEMPLATES_DIR, findTemplate } from './templates.ts';
export { unifiedDiff } from './unified-diff.ts';
