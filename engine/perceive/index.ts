/** Perception: fingerprints, coalescing of signals into incidents, and risk. */
export {
  type CoalesceOptions,
  coalesce,
  DEFAULT_SAMPLE_SIZE,
} from './coalesce.ts';
export { fingerprint, shortFingerprint } from './fingerprint.ts';
export { BASE_SEVERITY, scoreRisk } from './risk.ts';
