/** Read-only Kubernetes access: proven read-only at start-up, watches as intake, evidence for incidents. */
export { type AccessReport, proveReadOnly } from './access/prove.ts';
export { writeFindings } from './access/write-rules.ts';
export { type ClusterConnection, connect } from './connect.ts';
export { ClusterError, WriteAccessError } from './errors.ts';
export { collectEvidence, DEFAULT_EVIDENCE_BOUNDS, type EvidenceBounds } from './evidence/collect.ts';
export { type ClusterFeed, evidenceBounds, type FeedOptions, startClusters } from './feed.ts';
export { type ClusterIntake, startClusterIntake } from './intake/index.ts';
export { ClusterContext, ClusterSettings, EvidenceSettings, parseClusterFlags } from './settings.ts';
export { type Reflector, type ReflectorStats, startReflector } from './watch/reflector.ts';
