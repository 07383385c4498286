/**
 * Telemetry for perception when `.salve.yaml` names a Prometheus (`perception.prometheus`): the
 * metric windows of every incident's target, read before risk is scored. A query that fails is
 * logged and skipped; perception then treats the missing window as missing.
 */
import type { SalveConfig } from '../config/schema.ts';
import { collectMetricWindows } from '../intake/prometheus-telemetry.ts';
import type { Target } from '../model/index.ts';
import type { Telemetry, TelemetrySource } from '../perceive/index.ts';
import type { Logger } from '../telemetry/logger.ts';

const keyOf = (t: Target) => `${t.cluster}/${t.namespace}/${t.kind}/${t.name}`;

export async function prometheusTelemetry(
  targets: readonly Target[],
  config: SalveConfig,
  opts: { now: Date; log: Logger },
): Promise<TelemetrySource | undefined> {
  const address = config.perception.prometheus?.address;
  if (!address) return undefined;
  const byKey = new Map<string, Telemetry>();
  for (const target of targets) {
    const telemetry = await collectMetricWindows(target, {
      config: config.perception,
      slos: config.slos,
      client: { address },
      now: opts.now,
      onError: (query, err) => opts.log.warn({ err, query, target: keyOf(target) }, 'perception query failed'),
    });
    byKey.set(keyOf(target), telemetry);
  }
  return (t) => byKey.get(keyOf(t));
}
