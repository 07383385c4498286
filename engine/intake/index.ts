/** Intake: Alertmanager payloads and Kubernetes pods in, normalised Signals out. */
export { classifyAlert } from './alert-kinds.ts';
export { findMapping, labelNamesOf, wildcardMatch } from './alert-mapping.ts';
export { intakeAlertmanager, parseAlertmanager } from './alertmanager.ts';
export {
  AlertmanagerAlert,
  AlertmanagerPayload,
} from './alertmanager-schema.ts';
export { inspectContainer, PROBE_GRACE_MS } from './container-status.ts';
export { intakeSignalFile, parseSignalFile } from './file.ts';
export {
  type Owner,
  type OwnerReference,
  ownerFromPodName,
  resolvePodOwner,
} from './owner.ts';
export { type PodOptions, parsePod } from './pod.ts';
export type { IntakeOptions, IntakeResult, SkipCode, SkippedAlert } from './types.ts';
