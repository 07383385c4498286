import type { Signal } from '../model/index.ts';

/** An alert that intake understood but turned into no signal, and why. */
export interface SkippedAlert {
  alertname: string;
  /** `unrecognised alert`, `reason CreateContainerConfigError is not actionable`, ... */
  reason: string;
}

/** What reading one payload produced. `skipped` lets the caller report "skipped N alerts". */
export interface IntakeResult {
  signals: Signal[];
  skipped: SkippedAlert[];
}

export interface IntakeOptions {
  /** Cluster for inputs that name none (pods always; alerts without a `cluster` label). */
  cluster?: string;
  /** File path or URL the input came from, named in every error. */
  source?: string;
  /** The clock: staleness checks and pod observation times. Defaults to the current time. */
  now?: Date;
}

export function where(source: string | undefined): string {
  return source ? ` in ${source}` : '';
}
