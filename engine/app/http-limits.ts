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

async function collect(req: IncomingMessage, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new BodyTooLarge(`request body larger than ${max} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
