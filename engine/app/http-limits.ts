/**
 * What one HTTP request may cost before it is known to be genuine: a bounded body, read only when
 * a limited number of others are not being read already, within the server's timeouts.
 */
import type { IncomingMessage, Server } from 'node:http';
import { InputError } from '../model/index.ts';

export class BodyTooLarge extends InputError {}

/** Too many bodies are being read at once: try again shortly. */
export class Busy extends InputError {}

export interface HttpLimits {
  maxBodyBytes: number;
  maxConcurrentBodies: number;
  maxConnections: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

/** Node's own guards: header and request deadlines (answered with 408) and a connection cap. */
export function applyServerLimits(server: Server, limits: HttpLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = Math.min(5_000, limits.requestTimeoutMs);
  server.maxConnections = limits.maxConnections;
  server.maxHeadersCount = 100;
}

/** How often Node checks the deadlines above: often enough that they hold to within half. */
export function checkingInterval(limits: HttpLimits): number {
  return Math.max(50, Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 2)));
}

/**
 * Reads request bodies up to the size limit. Bodies of requests not yet authenticated (HMAC
 * schemes) take one of a few slots; when all are taken `read` refuses (Busy) rather than queueing.
 */
export class BodyReader {
  private active = 0;

  constructor(
    private readonly limits: Pick<HttpLimits, 'maxBodyBytes' | 'maxConcurrentBodies'>,
    private readonly onChange: (inFlight: number) => void = () => {},
  ) {}

  get inFlight(): number {
    return this.active;
  }

  async read(req: IncomingMessage, authenticated: boolean): Promise<string> {
    const max = this.limits.maxBodyBytes;
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (declared > max) throw new BodyTooLarge(`request body larger than ${max} bytes`);
    if (authenticated) return collect(req, max);
    if (this.active >= this.limits.maxConcurrentBodies) throw new Busy('too many requests in flight; retry shortly');
    this.active++;
    this.onChange(this.active);
    try {
      return await collect(req, max);
    } finally {
      this.active--;
      this.onChange(this.active);
    }
  }
}

/** The body as text, refused past `max` bytes; reads through events (no async iterator per request). */
function collect(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        finish();
        // Stop reading: the rest of the body is never drained into the server.
        req.destroy();
        reject(new BodyTooLarge(`request body larger than ${max} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      finish();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (err: Error) => {
      finish();
      reject(err);
    };
    const onClose = () => {
      // Closed before its end: the client went away mid-body.
      finish();
      reject(new InputError('request body: the connection closed before the body ended'));
    };
    const finish = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
