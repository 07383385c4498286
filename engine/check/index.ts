/** check: rendered manifests, their diff, and the declared-effects gate. */

export { checkDeclaredEffects, type DeclaredEffects } from './declared-effects.ts';
export { checkNoDeletion } from './file-writes.ts';
export { parseManifests } from './manifests.ts';
export { apiGroup, describeObject, objectKey } from './object-key.ts';
export { renderedDiff } from './rendered-diff.ts';
