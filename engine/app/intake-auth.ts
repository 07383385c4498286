/**
 * Authenticates intake requests: a bearer token, or an HMAC-SHA256 of the raw body in
 * `X-Salve-Signature: sha256=<hex>`. Comparisons are constant-time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface IntakeSecrets {
  token?: string | undefined;
  hmacSecret?: string | undefined;
}

function sameBytes(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function authenticateIntake(
  secrets: IntakeSecrets,
  headers: { authorization?: string | undefined; signature?: string | undefined },
  rawBody: string,
): boolean {
  const auth = headers.authorization ?? '';
  if (secrets.token && auth.toLowerCase().startsWith('bearer ') && sameBytes(auth.slice(7).trim(), secrets.token)) {
    return true;
  }
  if (secrets.hmacSecret && headers.signature) {
    return sameBytes(headers.signature.trim(), signBody(secrets.hmacSecret, rawBody));
  }
  return false;
}
