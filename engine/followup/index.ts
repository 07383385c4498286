/** The follow-up of merged remediations: Argo CD sync, stabilisation, a deterministic outcome, recorded on GitHub. */
export { type AlertmanagerClient, firingAlerts } from './alerts.ts';
export { type ApplicationRef, type DescendantCheck, findApplications, readSync } from './application.ts';
export { durableScheduler, FOLLOW_UPS } from './durable.ts';
export { type ClusterReader, type FollowUpDeps, observe, type Step, startFollowUp, stepFollowUp } from './follow.ts';
export { descendantViaGitHub } from './github.ts';
export { memoryOutcomeStore, mergedPullsWithOutcomes, type OutcomeStore, outcomeOfPull } from './outcomes.ts';
export { OUTCOME_CHECK, OutcomeRecord, outcomeMarker, parseOutcomeMarker, recordOutcome } from './record.ts';
export { createFollowUpRunner, type FollowUpRunner, jobFromPull, type MergedPull } from './runner.ts';
export { createTimerScheduler, type FollowUpScheduler, followUpKey } from './scheduler.ts';
export { decide, score } from './score.ts';
export { FollowUpConfig, type FollowUpSettings, followUpSettings } from './settings.ts';
export type * from './types.ts';
