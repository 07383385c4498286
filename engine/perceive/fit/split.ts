/** Deterministic splits by group: every sample of one fault, file or scenario lands on one side. */
import { createHash } from 'node:crypto';

export type Split = 'fit' | 'calibrate' | 'test';

/** 60 % fit, 20 % calibrate (Platt), 20 % test (held apart from both), by the group's sha256. */
export function splitOf(group: string): Split {
  const v = createHash('sha256').update(group).digest().readUInt32BE(0) / 2 ** 32;
  return v < 0.6 ? 'fit' : v < 0.8 ? 'calibrate' : 'test';
}
