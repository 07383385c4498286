/** The hidden, versioned metadata a PR body carries: `<!-- salve:metadata {...} -->`. */
import { z } from 'zod';
import { InputError, Mode, Target } from '../model/index.ts';
import type { PrMetadata } from '../model/remediation.ts';

const PREFIX = '<!-- salve:metadata ';
const SUFFIX = ' -->';

const PrMetadataV1 = z.object({
  version: z.literal(1),
  id: z.string().min(1),
  fingerprint: z.string().min(1),
  action: z.string().min(1),
  mode: Mode,
  target: Target,
  overlay: z.string(),
  baseCommit: z.string(),
  proofDigest: z.string(),
  occurrences: z.number().int().nonnegative(),
  lastSeen: z.string(),
});

/** One line of HTML comment; `<`, `>` and `&` are JSON-escaped so no value can close the comment. */
export function metadataComment(meta: PrMetadata): string {
  const json = JSON.stringify(PrMetadataV1.parse(meta)).replace(
    /[<>&]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `${PREFIX}${json}${SUFFIX}`;
}

/**
 * The metadata of a PR body, or null when it has none (a PR salve did not open).
 * Present but unreadable, or of a version this build does not know: InputError.
 */
export function parseMetadata(body: string): PrMetadata | null {
  const start = body.lastIndexOf(PREFIX);
  if (start < 0) return null;
  const end = body.indexOf(SUFFIX, start + PREFIX.length);
  if (end < 0) throw new InputError('PR body: salve:metadata comment is not closed');
  let raw: unknown;
  try {
    raw = JSON.parse(body.slice(start + PREFIX.length, end));
  } catch {
    throw new InputError('PR body: salve:metadata is not valid JSON');
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (version !== 1)
    throw new InputError(`PR body: salve:metadata version ${JSON.stringify(version)} is not supported (expected 1)`);
  const parsed = PrMetadataV1.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      `PR body: salve:metadata field ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}
