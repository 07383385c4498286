/** Perception: fingerprints, coalescing of signals into incidents, and risk. */
export {
  type CoalesceOptions,
  coalesce,
  DEFAULT_SAMPLE_SIZE,
} from './coalesce.ts';
export { fingerprint, shortFingerprint } from './fingerprint.ts';
export { assess, riskType } from './perception/assess.ts';
export { DEFAULT_MODEL } from './perception/default-model.ts';
export { type PerceptionModel, parseModel } from './perception/model.ts';
export {
  LogWindow,
  MetricWindow,
  NO_TELEMETRY,
  Telemetry,
  TelemetryFile,
  type TelemetrySource,
  telemetrySource,
} from './perception/telemetry.ts';
export { NO_RISK, scoreRisk } from './risk.ts';
