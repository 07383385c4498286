/** render/rollouts: Argo Rollouts canaries for remediations that policy says need safe exposure. */

export { type DeliveryTarget, findDelivery, renderedDelivery, repoDelivery } from './delivery.ts';
export {
  type ExpectedExposure,
  type ExposureTarget,
  expectedExposure,
  exposureProblems,
  exposureRecord,
  exposureTarget,
} from './expected.ts';
export { type ExposureRepo, ROLLOUT_REPLICAS_CONFIGURATION, renderExposureFiles } from './files.ts';
export { ensureListEntry } from './kustomization.ts';
export {
  analysisTemplate,
  type CanaryStep,
  canarySteps,
  ROLLOUTS_API,
  rolloutFor,
  SERVICE_ARG,
  templateName,
} from './objects.ts';
export { type ExposurePlanner, loadExposurePlanner } from './planner.ts';
export { joinDiffs, splitDiff } from './split.ts';
export { type ExposureStage, finishExposure, mergeEffects, prepareExposure } from './stage.ts';
