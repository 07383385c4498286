import { createHash } from 'node:crypto';
import type { Target } from '../model/index.ts';

/** sha256 hex of `cluster/namespace/kind/name`: the identity of an incident across recurrences. */
export function fingerprint(target: Target): string {
  const key = `${target.cluster}/${target.namespace}/${target.kind}/${target.name}`;
  return createHash('sha256').update(key).digest('hex');
}

/** The first 10 hex characters: for branch names and remediation ids. */
export function shortFingerprint(fp: string): string {
  return fp.slice(0, 10);
}
