/**
 * What perception reads besides signals: metric windows (from Prometheus range queries or files)
 * and container logs (the previous revision's or a baseline window's, and the current ones).
 * Everything here is bounded: it comes from a cluster, a file or a query answer.
 */
import { z } from 'zod';

export const MAX_WINDOW_POINTS = 20_000;
export const MAX_LOG_LINES = 50_000;

export const MetricWindow = z
  .object({
    /** What the series is, e.g. `memory-working-set-ratio`, `error-rate`. */
    name: z.string().min(1).max(120),
    /** Unix seconds and value, oldest first. */
    points: z
      .array(z.tuple([z.number().finite(), z.number()]))
      .max(MAX_WINDOW_POINTS)
      .refine((ps) => ps.every((p, i) => i === 0 || p[0] > (ps[i - 1] as [number, number])[0]), 'times must increase'),
    /** The seasonal period to learn (seconds); a day by default. */
    periodSeconds: z
      .number()
      .int()
      .positive()
      .max(31 * 86_400)
      .optional(),
  })
  .strict();
export type MetricWindow = z.infer<typeof MetricWindow>;

export const LogWindow = z
  .object({
    container: z.string().max(253).optional(),
    /** Baseline: the previous revision's (or the previous container's) lines. */
    baseline: z.array(z.string()).max(MAX_LOG_LINES),
    /** The current container's lines. */
    current: z.array(z.string()).max(MAX_LOG_LINES),
  })
  .strict();
export type LogWindow = z.infer<typeof LogWindow>;

export const Telemetry = z
  .object({
    metrics: z.array(MetricWindow).max(64).default([]),
    logs: z.array(LogWindow).max(16).default([]),
  })
  .strict();
export type Telemetry = z.infer<typeof Telemetry>;

export const NO_TELEMETRY: Telemetry = { metrics: [], logs: [] };

/** A telemetry file: metric windows and logs per target (what `salve plan` reads offline). */
export const TelemetryFile = z
  .object({
    targets: z
      .array(
        z
          .object({
            target: z
              .object({ cluster: z.string(), namespace: z.string(), kind: z.string(), name: z.string() })
              .strict(),
            metrics: z.array(MetricWindow).max(64).default([]),
            logs: z.array(LogWindow).max(16).default([]),
          })
          .strict(),
      )
      .max(1000),
  })
  .strict();
export type TelemetryFile = z.infer<typeof TelemetryFile>;

export type TelemetrySource = (target: {
  cluster: string;
  namespace: string;
  kind: string;
  name: string;
}) => Telemetry | undefined;

/** Looks a target up by cluster, namespace, kind and name; the last entry for a target wins. */
export function telemetrySource(file: TelemetryFile): TelemetrySource {
  const byKey = new Map<string, Telemetry>();
  for (const e of file.targets)
    byKey.set(`${e.target.cluster}/${e.target.namespace}/${e.target.kind}/${e.target.name}`, {
      metrics: e.metrics,
      logs: e.logs,
    });
  return (t) => byKey.get(`${t.cluster}/${t.namespace}/${t.kind}/${t.name}`);
}
