import type { AlertMapping } from '../config/schema.ts';
import type { Signal } from '../model/index.ts';

/**
 * - `unrecognised`: no built-in rule and no `alerts:` entry maps the alert to a signal kind
 * - `not-actionable`: recognised, but nothing salve does answers it (a waiting reason such as ContainerCreating)
 * - `missing-label`: recognised, but a label naming its target is missing
 * - `truncated`: Alertmanager left alerts out of the payload (max_alerts)
 */
export type SkipCode = 'unrecognised' | 'not-actionable' | 'missing-label' | 'truncated';

/** An alert that intake understood but turned into no signal, and why. */
export interface SkippedAlert {
  alertname: string;
  /** A fixed set, safe as a metric label: what kind of reason it is. */
  code: SkipCode;
  /** `unrecognised alert name: ...`, `waiting reason CreateContainerConfigError is not actionable`, ... */
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
  /** `.salve.yaml` `alerts:`: other rule sets' alerts, tried before the built-in names. */
  alerts?: readonly AlertMapping[];
}

export function where(source: string | undefined): string {
  return source ? ` in ${source}` : '';
}
