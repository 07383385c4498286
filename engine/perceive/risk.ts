/**
 * Risk of one incident: the fitted perception model (models/perception-v4.json) over its signals
 * and whatever telemetry there is for its target. See perception/assess.ts for what the score,
 * interval, confidence and attributions mean.
 */
import type { Risk, Signal } from '../model/index.ts';
import { assess } from './perception/assess.ts';
import { DEFAULT_MODEL } from './perception/default-model.ts';
import type { PerceptionModel } from './perception/model.ts';
import { NO_TELEMETRY, type Telemetry } from './perception/telemetry.ts';

export const NO_RISK: Risk = { score: 0, confidence: 0, type: 'unknown', attributions: [] };

/** Scores the firing signals of one incident. An empty list has no risk (score 0, type unknown). */
export function scoreRisk(
  signals: readonly Signal[],
  telemetry: Telemetry = NO_TELEMETRY,
  model: PerceptionModel = DEFAULT_MODEL,
): Risk {
  const a = assess(signals, model, telemetry);
  if (!a) return NO_RISK;
  return {
    score: a.score,
    confidence: a.confidence,
    type: a.type,
    attributions: a.attributions,
    interval: a.interval,
    ...(a.evidence.length > 0 ? { evidence: a.evidence } : {}),
    model: a.model,
  };
}
