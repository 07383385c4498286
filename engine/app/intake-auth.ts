/**
 * Authenticates intake requests: a bearer token, or an HMAC-SHA256 of the raw body in
 * `X-Salve-Signature: sha256=<hex>`. Comparisons are constant-time. The token is checked from the
 * headers alone, before any body is read; only the HMAC scheme needs the body.
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

type IntakeHeaders = { authorization?: string | undefined; signature?: string | undefined };

/**
 * What the headers allow before the body is read: `token` (authenticated), `signature` (read the
 * body, then check it with `authenticateIntake`), or null (refuse without reading anything).
 */
export function intakeCredential(secrets: IntakeSecrets, headers: IntakeHeaders): 'token' | 'signature' | null {
  const auth = headers.authorization ?? '';
  if (secrets.token && auth.toLowerCase().startsWith('bearer ') && sameBytes(auth.slice(7).trim(), secrets.token)) {
    return 'token';
  }
  return secrets.hmacSecret && headers.signature ? 'signature' : null;
}

export function authenticateIntake(secrets: IntakeSecrets, headers: IntakeHeaders, rawBody: string): boolean {
  const auth = headers.authorization ?? '';
  if (secrets.token && auth.toLowerCase().startsWith('bearer ') && sameBytes(auth.slice(7).trim(), secrets.token)) {
    return true;
  }
  if (secrets.hmacSecret && headers.signature) {
    return sameBytes(headers.signature.trim(), signBody(secrets.hmacSecret, rawBody));
  }
  return false;
}
