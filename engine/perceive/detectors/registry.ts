/** Every detector salve has, registered explicitly. Ids equal folder names (see registry.spec.ts). */
import { cadOse } from './cad-ose/index.ts';
import { contextNovelty } from './context-novelty/index.ts';
import { eventFlags } from './event-flags/index.ts';
import { ewmaLikelihood } from './ewma-likelihood/index.ts';
import { logNovelty } from './log-novelty/index.ts';
import { seasonalResidual } from './seasonal-residual/index.ts';
import { streamEnsemble } from './stream-ensemble/index.ts';
import type { DetectorPlugin } from './types.ts';

export const DETECTORS: readonly DetectorPlugin[] = [
  cadOse,
  contextNovelty,
  eventFlags,
  ewmaLikelihood,
  logNovelty,
  seasonalResidual,
  streamEnsemble,
] as readonly DetectorPlugin[];

export function detector(id: string): DetectorPlugin | undefined {
  return DETECTORS.find((d) => d.id === id);
}
