/** Errors of the read-only cluster access. */
import { ApiException } from '@kubernetes/client-node';
import { SalveError } from '../model/index.ts';

/** The cluster cannot be reached or refuses salve's identity. Exit code 1. */
export class ClusterError extends SalveError {
  readonly status: number | undefined;
  constructor(message: string, options: { cause?: unknown; code?: string; status?: number } = {}) {
    super(options.code ?? 'cluster-unavailable', message, options);
    this.status = options.status;
  }
}

/** salve's identity could write to the cluster: it refuses to run. Exit code 2 (a deployment mistake). */
export class WriteAccessError extends SalveError {
  readonly findings: readonly string[];
  constructor(message: string, findings: readonly string[]) {
    super('cluster-write-access', message, { exitCode: 2 });
    this.findings = findings;
  }
}

/** The HTTP status of a failed API call, when there was one. */
export function statusOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const e = err as { statusCode?: unknown; code?: unknown } | null;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  // A Status object's code; not a DOMException's (an abort is code 20).
  if (typeof e?.code === 'number' && e.code >= 100 && e.code < 600 && !(err instanceof DOMException)) return e.code;
  return undefined;
}

/** `HTTP 403: <the API server's message>`, short, without headers or request details. */
export function describeApiError(err: unknown): string {
  if (err instanceof ApiException) {
    let message = '';
    const body = err.body as unknown;
    try {
      const parsed =
        typeof body === 'string' ? (JSON.parse(body) as { message?: string }) : (body as { message?: string });
      message = parsed?.message ?? '';
    } catch {
      message = typeof body === 'string' ? body : '';
    }
    return `HTTP ${err.code}${message ? `: ${message.slice(0, 300)}` : ''}`;
  }
  const status = statusOf(err);
  const text = err instanceof Error ? err.message : String(err);
  return `${status ? `HTTP ${status}: ` : ''}${text.split('\n')[0]?.slice(0, 300) ?? ''}`;
}

/** Wraps a failed API call as a ClusterError that names what was being done. */
export function clusterError(what: string, err: unknown): ClusterError {
  const status = statusOf(err);
  return new ClusterError(`${what}: ${describeApiError(err)}`, {
    cause: err,
    ...(status !== undefined ? { status } : {}),
  });
}
