/**
 * Secrets out of container logs before they go anywhere: salve's own redaction (private keys,
 * GitHub tokens, Authorization values, URL credentials) plus what applications commonly print:
 * `password=…`, `token: …`, `api_key="…"`, bare `Bearer …`, JWTs, AWS access key ids, Google API
 * keys, Slack tokens, Stripe live keys.
 */
import { redact } from '../../model/index.ts';

const PATTERNS: Array<[RegExp, string]> = [
  [
    /\b((?:[A-Za-z0-9]+[_-])*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?|auth))(["']?\s*[:=]\s*["']?)([^\s"',;&]+)/gi,
    '$1$2[redacted]',
  ],
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g, '[redacted jwt]'],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, '[redacted aws key]'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/g, '[redacted google key]'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g, '[redacted slack token]'],
  [/\b[sr]k_live_[A-Za-z0-9]{16,}\b/g, '[redacted stripe key]'],
];

export function redactLog(text: string): string {
  let out = redact(text);
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}
