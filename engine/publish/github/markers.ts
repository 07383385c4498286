/**
 * Hidden markers salve leaves in PR bodies and comments, so that later runs recognise their own
 * work: the content hashes (skip no-op updates), the metadata, and one-time notices.
 */
import { createHash } from 'node:crypto';
import { metadataComment, parseMetadata, salveLabels } from '../../explain/index.ts';
import type { PrMetadata, PublishRequest } from '../../model/remediation.ts';

export const FROZEN_MARKER = '<!-- salve:frozen -->';
export const SUPERSEDED_MARKER = '<!-- salve:superseded -->';

/** The hash marker salve appends last; one anywhere else (say, in a diff line) is content, not a marker. */
const HASH_RE = /\n?<!-- salve:hash ([0-9a-f]{64}) files=([0-9a-f]{64}) -->\s*$/;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Digest of the commit content: paths and contents, order-independent. */
export function filesHash(req: PublishRequest): string {
  const files = [...req.files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => [f.path, f.after === null ? null : sha256(f.after)]);
  return sha256(JSON.stringify(files));
}

/** Digest of everything a PR update would change: title, body, labels and files. */
export function contentHash(req: PublishRequest): string {
  return sha256(JSON.stringify([req.pr.title, req.pr.body, labelsFor(req).sort(), filesHash(req)]));
}

/** The body salve writes: the rendered body, its metadata if the renderer left it out, and the hashes. */
export function renderBody(req: PublishRequest): string {
  let body = req.pr.body.replace(HASH_RE, '').trimEnd();
  if (!readMetadata(body)) body += `\n\n${metadataComment(req.metadata)}`;
  return `${body}\n<!-- salve:hash ${contentHash(req)} files=${filesHash(req)} -->\n`;
}

export function readHashes(body: string | null | undefined): { content: string; files: string } | null {
  const m = HASH_RE.exec(body ?? '');
  return m?.[1] && m[2] ? { content: m[1], files: m[2] } : null;
}

/** The metadata salve left in a PR body, or null when there is none or it does not parse (not ours to trust). */
export function readMetadata(
  body: string | null | undefined,
): Pick<PrMetadata, 'id' | 'fingerprint' | 'action'> | null {
  try {
    const meta = parseMetadata(body ?? '');
    return meta ? { id: meta.id, fingerprint: meta.fingerprint, action: meta.action } : null;
  } catch {
    return null;
  }
}

export function labelNames(labels: ReadonlyArray<{ name?: string } | string>): string[] {
  return labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter((n) => n !== '');
}

/** salve's labels for a request: `salve`, `salve/action:<id>`, `salve/mode:<mode>`, plus the renderer's. */
export function labelsFor(req: PublishRequest): string[] {
  return [...new Set([...salveLabels(req.metadata.action, req.metadata.mode), ...req.pr.labels])];
}
