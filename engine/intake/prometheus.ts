/**
 * A Prometheus range-query client (HTTP API `/api/v1/query_range`), bounded on every side: the
 * time range, the number of points per series, the number of series, the response size and the
 * time it may take. Its answer becomes perception's metric windows.
 */
import { z } from 'zod';
import { InputError, SalveError } from '../model/errors.ts';
import type { MetricWindow } from '../perceive/perception/telemetry.ts';

export class PrometheusError extends SalveError {
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'prometheus-failed', message, options);
  }
}

export interface RangeQuery {
  /** A window name for perception, e.g. `memory-working-set-ratio`. */
  name: string;
  query: string;
  /** Unix seconds. */
  start: number;
  end: number;
  stepSeconds: number;
}

export interface PrometheusLimits {
  maxRangeSeconds: number;
  /** Prometheus itself refuses more than 11,000 points per series. */
  maxPoints: number;
  maxSeries: number;
  maxResponseBytes: number;
  timeoutMs: number;
  maxQueryChars: number;
}

export const DEFAULT_LIMITS: PrometheusLimits = {
  maxRangeSeconds: 14 * 86_400,
  maxPoints: 11_000,
  maxSeries: 32,
  maxResponseBytes: 16 * 1024 * 1024,
  timeoutMs: 15_000,
  maxQueryChars: 4096,
};

export interface PrometheusClientOptions {
  /** Base URL, e.g. http://prometheus.monitoring:9090 (a path prefix is kept). */
  address: string;
  headers?: Record<string, string>;
  limits?: Partial<PrometheusLimits>;
  fetch?: typeof fetch;
}

/** Built on the first answer read (z.lazy): a plan with no Prometheus configured never builds them. */
const RangeResponse = z.lazy(() =>
  z.object({
    status: z.literal('success'),
    data: z.object({
      resultType: z.literal('matrix'),
      result: z.array(
        z.object({ metric: z.record(z.string(), z.string()), values: z.array(z.tuple([z.number(), z.string()])) }),
      ),
    }),
  }),
);
const ErrorResponse = z.lazy(() => z.object({ status: z.literal('error'), errorType: z.string(), error: z.string() }));

/** Checks a query against the limits before anything is sent. */
export function checkRangeQuery(q: RangeQuery, limits: PrometheusLimits = DEFAULT_LIMITS): void {
  const where = `query ${q.name}`;
  if (q.query.trim() === '' || q.query.length > limits.maxQueryChars)
    throw new InputError(`${where}: the PromQL must be 1..${limits.maxQueryChars} characters`);
  if (![q.start, q.end, q.stepSeconds].every(Number.isFinite) || q.stepSeconds <= 0 || q.end <= q.start)
    throw new InputError(`${where}: needs start < end and a positive step`);
  if (q.end - q.start > limits.maxRangeSeconds)
    throw new InputError(`${where}: range ${q.end - q.start}s exceeds ${limits.maxRangeSeconds}s`);
  const points = Math.floor((q.end - q.start) / q.stepSeconds) + 1;
  if (points > limits.maxPoints)
    throw new InputError(`${where}: ${points} points per series exceed ${limits.maxPoints}`);
}

async function readBounded(res: Response, max: number, where: string): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (declared > max) throw new PrometheusError(`${where}: response of ${declared} bytes exceeds ${max}`);
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > max) throw new PrometheusError(`${where}: response exceeds ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function seriesName(base: string, metric: Record<string, string>, many: boolean): string {
  if (!many) return base;
  const labels = Object.entries(metric)
    .filter(([k]) => k !== '__name__')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${base}{${labels}}`.slice(0, 120);
}

/** Runs one range query; each returned series is a metric window (NaN samples dropped). */
export async function queryRange(q: RangeQuery, options: PrometheusClientOptions): Promise<MetricWindow[]> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  checkRangeQuery(q, limits);
  const url = new URL(`${options.address.replace(/\/+$/, '')}/api/v1/query_range`);
  const where = `prometheus ${url.origin} query ${q.name}`;
  const body = new URLSearchParams({
    query: q.query,
    start: String(q.start),
    end: String(q.end),
    step: String(q.stepSeconds),
    timeout: `${Math.max(1, Math.floor(limits.timeoutMs / 1000))}s`,
  });
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...options.headers },
      body,
      signal: AbortSignal.timeout(limits.timeoutMs),
    });
  } catch (err) {
    const timedOut = (err as Error)?.name === 'TimeoutError';
    throw new PrometheusError(`${where}: ${timedOut ? `no answer within ${limits.timeoutMs} ms` : 'request failed'}`, {
      cause: err,
      code: timedOut ? 'prometheus-timeout' : 'prometheus-failed',
    });
  }
  const text = await readBounded(res, limits.maxResponseBytes, where);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PrometheusError(`${where}: HTTP ${res.status}, not a JSON answer`);
  }
  const failed = ErrorResponse.safeParse(json);
  if (failed.success)
    throw new PrometheusError(
      `${where}: HTTP ${res.status} ${failed.data.errorType}: ${failed.data.error.slice(0, 300)}`,
    );
  const ok = RangeResponse.safeParse(json);
  if (!ok.success) throw new PrometheusError(`${where}: HTTP ${res.status}, not a matrix answer`);
  const result = ok.data.data.result;
  if (result.length > limits.maxSeries)
    throw new PrometheusError(`${where}: ${result.length} series exceed ${limits.maxSeries}; aggregate the query`);
  return result.map((series) => ({
    name: seriesName(q.name, series.metric, result.length > 1),
    points: series.values
      .slice(0, limits.maxPoints)
      .map(([t, v]) => [t, Number(v)] as [number, number])
      .filter(([, v]) => Number.isFinite(v)),
  }));
}
