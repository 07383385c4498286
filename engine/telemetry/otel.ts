/**
 * OpenTelemetry for `salve serve`, through @opentelemetry/sdk-node: off unless the standard
 * variables ask for it (OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; OTEL_SDK_DISABLED=true wins). The SDK reads the exporter,
 * protocol (http/protobuf, http/json, grpc), endpoint, headers and resource from the same
 * variables. Called from the entry point only; the tracer and meter it returns are passed on.
 */
import { type Meter, metrics, type Tracer, trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';

export interface Telemetry {
  tracer: Tracer | null;
  meter: Meter | null;
  /** Flushes and stops the exporters. */
  shutdown(): Promise<void>;
}

const OFF: Telemetry = { tracer: null, meter: null, shutdown: async () => {} };

export function wantsTelemetry(env: Readonly<Record<string, string | undefined>>): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').toLowerCase() === 'true') return false;
  const traces = env.OTEL_TRACES_EXPORTER;
  if (traces !== undefined) return traces !== 'none';
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export function startTelemetry(env: Readonly<Record<string, string | undefined>>, version: string): Telemetry {
  if (!wantsTelemetry(env)) return OFF;
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? 'salve',
    instrumentations: [],
    autoDetectResources: false,
  });
  sdk.start();
  return {
    tracer: trace.getTracer('salve', version),
    meter: metrics.getMeter('salve', version),
    shutdown: () => sdk.shutdown(),
  };
}
