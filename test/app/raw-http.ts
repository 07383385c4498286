/**
 * Raw HTTP/1.1 over a TCP socket, for tests that must control what a client sends and when:
 * partial headers, partial bodies, paths a URL parser would normalise.
 */
import { connect, type Socket } from 'node:net';

export interface RawExchange {
  socket: Socket;
  /** Everything the server sent, once it closed the connection or sent a whole response. */
  response: Promise<{ status: number; head: string; body: string }>;
  /** Resolves when the server closed the connection. */
  closed: Promise<void>;
  send(text: string | Buffer): void;
}

/** Connects to `url`'s host and port and writes `text` (which may stop mid-request). */
export function rawRequest(url: string, text: string | Buffer): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.write(text);
      resolve({ socket, response, closed, send: (t) => socket.write(t) });
    });
    socket.once('error', reject);
    const chunks: Buffer[] = [];
    let settle!: (v: { status: number; head: string; body: string }) => void;
    let fail!: (e: Error) => void;
    const response = new Promise<{ status: number; head: string; body: string }>((res, rej) => {
      settle = res;
      fail = rej;
    });
    response.catch(() => {});
    const closed = new Promise<void>((res) => socket.once('close', () => res()));
    const parse = (): boolean => {
      const all = Buffer.concat(chunks).toString('latin1');
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const head = all.slice(0, end);
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      const body = all.slice(end + 4);
      if (length && body.length < Number(length[1])) return false;
      settle({ status: Number(head.split(' ')[1]), head, body: length ? body.slice(0, Number(length[1])) : body });
      return true;
    };
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      parse();
    });
    socket.on('error', () => {});
    socket.once('close', () => {
      if (!parse()) fail(new Error(`connection closed without a response (${Buffer.concat(chunks).length} bytes)`));
    });
  });
}

/** A request head for `path` with the given headers; the body (if any) is sent separately. */
export function head(method: string, path: string, headers: Record<string, string | number> = {}): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}
