/**
 * The detector contract. A detector is an online function of one stream: `update` takes the next
 * observation and returns an anomaly score in [0, 1] in O(1) time (amortised), and its whole state
 * is plain JSON (`snapshot`) that `restore` turns back into an identical detector. No detector
 * reads a clock, a random source or anything but its inputs: the same inputs give the same scores.
 */

/** A metric sample: unix seconds and a value. */
export interface MetricPoint {
  t: number;
  value: number;
}

/** A batch of log lines of one container, as templates mined from them (see engine/perceive/logs). */
export interface LogBatch {
  t: number;
  /** Template id → lines that matched it in this batch. */
  counts: Readonly<Record<string, number>>;
}

/** A Kubernetes/alert event about the workload, by signal kind. */
export interface EventObservation {
  t: number;
  kind: string;
  /** Restart count or other magnitude the event carries, when it has one. */
  count?: number;
}

export interface DetectorInputs {
  metric: MetricPoint;
  log: LogBatch;
  event: EventObservation;
}
export type DetectorInput = keyof DetectorInputs;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

export interface DetectorState {
  detector: string;
  version: number;
  state: JsonValue;
}

export interface Detector<I extends DetectorInput> {
  readonly id: string;
  update(observation: DetectorInputs[I]): number;
  snapshot(): DetectorState;
}

export interface DetectorPlugin<I extends DetectorInput = DetectorInput, O = unknown> {
  /** Equals the folder name under engine/perceive/detectors/. */
  readonly id: string;
  readonly input: I;
  readonly description: string;
  create(options?: Partial<O>): Detector<I>;
  /** Rebuilds a detector from its snapshot; throws DetectorStateError on a foreign or bad state. */
  restore(state: DetectorState): Detector<I>;
}

/** A plugin whose detectors have more to offer than the contract (bands, features, flags). */
export type RichDetectorPlugin<I extends DetectorInput, O, D extends Detector<I>> = Omit<
  DetectorPlugin<I, O>,
  'create' | 'restore'
> & {
  create(options?: Partial<O>): D;
  restore(state: DetectorState): D;
};
