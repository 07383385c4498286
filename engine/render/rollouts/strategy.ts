/**
 * A Rollout's own release strategy, as policy needs it: how many canary steps, which analysis, or
 * how its blue/green release goes (services, promotion, analysis). Read from a config repo, so
 * every name is kept only when it is a Kubernetes name and every list is bounded: the explanation
 * quotes them.
 */
import type { Delivery } from '../../model/policy.ts';
import type { K8sObject } from '../../model/remediation.ts';

type Json = Record<string, unknown>;
type Strategy = Pick<Delivery, 'steps' | 'strategy' | 'analysis' | 'blueGreen'>;

/** DNS-1123 subdomain, as Kubernetes names Services and AnalysisTemplates. */
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** More templates than this in one analysis are summarised by the first ones. */
const MAX_TEMPLATES = 5;

const rec = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const name = (v: unknown): string | undefined => (typeof v === 'string' && NAME.test(v) ? v : undefined);

/** The template names of one `RolloutAnalysis` (`templates[].templateName`); [] when it has none. */
function templates(analysis: unknown): string[] {
  const list = rec(analysis).templates;
  if (!Array.isArray(list)) return [];
  return list
    .map((t) => name(rec(t).templateName))
    .filter((t): t is string => t !== undefined)
    .slice(0, MAX_TEMPLATES);
}

function blueGreenOf(bg: Json): NonNullable<Delivery['blueGreen']> {
  const active = name(bg.activeService);
  const preview = name(bg.previewService);
  const seconds = bg.autoPromotionSeconds;
  const pre = templates(bg.prePromotionAnalysis);
  const post = templates(bg.postPromotionAnalysis);
  return {
    ...(active ? { activeService: active } : {}),
    ...(preview ? { previewService: preview } : {}),
    ...(typeof bg.autoPromotionEnabled === 'boolean' ? { autoPromotionEnabled: bg.autoPromotionEnabled } : {}),
    ...(Number.isInteger(seconds) && (seconds as number) > 0 ? { autoPromotionSeconds: seconds as number } : {}),
    ...(pre.length > 0 ? { prePromotionAnalysis: pre } : {}),
    ...(post.length > 0 ? { postPromotionAnalysis: post } : {}),
  };
}

/** The Rollout's strategy; {} for anything else (a Flagger Canary has its own analysis spec). */
export function rolloutStrategy(o: K8sObject): Strategy {
  if (o.kind !== 'Rollout') return {};
  const strategy = rec(rec(o.spec).strategy);
  if ('blueGreen' in strategy) return { strategy: 'blueGreen', blueGreen: blueGreenOf(rec(strategy.blueGreen)) };
  if (!('canary' in strategy)) return {};
  const canary = rec(strategy.canary);
  const steps = Array.isArray(canary.steps) ? canary.steps.length : 0;
  const analysis = templates(canary.analysis);
  return {
    strategy: 'canary',
    ...(steps > 0 ? { steps } : {}),
    ...(analysis.length > 0 ? { analysis } : {}),
  };
}
