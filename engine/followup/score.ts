/**
 * The effectiveness score: a pure function of what the follow-up observed, so the same observation
 * always gives the same outcome and the PR comment can show every number it used.
 *
 * Health is graded continuously (ready share, minus restarts and OOM kills since the sync) where a
 * fixed 0/0.25/0.5/0.75/1 ladder cannot tell 9 ready pods of 10 from 6; each SLO query is an
 * improvement ratio clamped to [-1, 1] (not [0, 1]: a change that made an SLI worse must show as
 * worse, and beyond the SLO's envelope it is harmful); and the alerts that were firing at merge must
 * have resolved. The kind is decided by ordered rules, each reported as a reason.
 */

import { counted } from '../model/words.ts';
import type { Observation, Outcome, OutcomeKind, Score } from './types.ts';

/** An SLI may move this much the wrong way (relative) and still count as unchanged. */
export const SLI_TOLERANCE = 0.1;
/** Health at or above this, with the symptom gone, is effective. */
export const HEALTHY = 0.75;

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const round = (x: number) => Math.round(x * 1000) / 1000;

export function healthScore(obs: Observation): number {
  const pods = obs.pods;
  if (!pods || pods.total === 0) return 0;
  let h = pods.ready / pods.total;
  if (pods.restartsSinceSync > 0) h -= 0.25;
  if (pods.failing > 0) h -= 0.25;
  if (pods.oomsSinceSync > 0) h = Math.min(h, 0.25);
  return round(clamp(h, 0, 1));
}

/** (before - after) / before, clamped to [-1, 1]; a zero baseline counts any rise as fully worse. */
export function improvement(before: number, after: number): number {
  if (before === after) return 0;
  if (before <= 0) return after > 0 ? -1 : 0;
  return round(clamp((before - after) / before, -1, 1));
}

export function score(obs: Observation): Score {
  const health = healthScore(obs);
  const firing = obs.alerts?.firingAtMerge.length ?? 0;
  const alerts = obs.alerts && firing > 0 ? round(1 - obs.alerts.stillFiring.length / firing) : null;
  const metrics = obs.slos
    .filter((s) => s.before !== null && s.after !== null)
    .map((s) => ({ slo: s.slo, metric: s.metric, improvement: improvement(s.before as number, s.after as number) }));
  const parts: Array<[number, number]> = [[0.5, health]];
  if (alerts !== null) parts.push([0.25, alerts]);
  if (metrics.length > 0) parts.push([0.25, metrics.reduce((a, m) => a + (m.improvement + 1) / 2, 0) / metrics.length]);
  const weight = parts.reduce((a, [w]) => a + w, 0);
  const overall = round(parts.reduce((a, [w, v]) => a + w * v, 0) / weight);
  return { health, alerts, metrics, overall };
}

function harms(obs: Observation): string[] {
  const out: string[] = [];
  for (const c of obs.canaries)
    if (c.failed) out.push(`${c.kind} ${c.name} ${c.phase}${c.message ? `: ${c.message}` : ''}`);
  if (obs.sync.settled && obs.sync.health === 'Degraded')
    out.push(`Application ${obs.sync.application} is Degraded after syncing ${short(obs.sync.revision)}`);
  for (const s of obs.slos) {
    if (s.after === null || s.after <= s.limit) continue;
    if (s.before === null || s.before <= s.limit || s.after > s.before * (1 + SLI_TOLERANCE))
      out.push(`${s.slo} ${s.metric} ${fmt(s.after)} breaches its limit ${fmt(s.limit)} (before: ${fmt(s.before)})`);
  }
  if (obs.alerts && obs.alerts.newFiring.length > 0)
    out.push(`alerts firing since the merge that were not before: ${obs.alerts.newFiring.join(', ')}`);
  if (obs.pods && obs.pods.total > 0 && obs.pods.ready === 0) out.push(`none of ${obs.pods.total} pods is ready`);
  return out;
}

function gapsToConclude(obs: Observation): string[] {
  const out: string[] = [];
  if (!obs.sync.settled)
    out.push(
      `Argo CD never reported the merge synced and settled (sync ${obs.sync.syncStatus ?? 'unknown'}, revision ${short(obs.sync.revision)}, health ${obs.sync.health ?? 'unknown'})`,
    );
  for (const c of obs.canaries) if (!c.failed && !isDone(c.phase)) out.push(`${c.kind} ${c.name} is still ${c.phase}`);
  if (!obs.pods || obs.pods.total === 0) out.push('no pods of the workload could be read');
  return out;
}

function isDone(phase: string): boolean {
  return ['Successful', 'Healthy', 'Succeeded', 'Completed'].includes(phase);
}

function shortfalls(obs: Observation, s: Score): string[] {
  const out: string[] = [];
  if (s.health < HEALTHY) out.push(`health ${s.health} is below ${HEALTHY}`);
  if (obs.pods && obs.pods.oomsSinceSync > 0) out.push(`${counted(obs.pods.oomsSinceSync, 'OOM kill')} since the sync`);
  if (obs.alerts && obs.alerts.stillFiring.length > 0) out.push(`still firing: ${obs.alerts.stillFiring.join(', ')}`);
  for (const m of s.metrics)
    if (m.improvement < -SLI_TOLERANCE)
      out.push(`${m.slo} ${m.metric} is worse by ${Math.round(-m.improvement * 100)}%`);
  return out;
}

/** The outcome of one follow-up: harmful, then inconclusive, then ineffective, else effective. */
export function decide(obs: Observation, now: Date): Outcome {
  const s = score(obs);
  const verdict = (kind: OutcomeKind, reasons: string[]): Outcome => ({
    kind,
    score: s,
    reasons: [...reasons, ...obs.gaps.map((g) => `not read: ${g}`)],
    observation: obs,
    decidedAt: now.toISOString(),
  });
  const harm = harms(obs);
  if (harm.length > 0) return verdict('harmful', harm);
  const gaps = gapsToConclude(obs);
  if (gaps.length > 0) return verdict('inconclusive', gaps);
  const missing = shortfalls(obs, s);
  if (missing.length > 0) return verdict('ineffective', missing);
  const good = [`health ${s.health}`];
  if (s.alerts !== null) good.push(`alerts firing at merge resolved: ${obs.alerts?.firingAtMerge.join(', ')}`);
  for (const m of s.metrics) good.push(`${m.slo} ${m.metric} improvement ${m.improvement}`);
  return verdict('effective', good);
}

function short(sha: string | null): string {
  return sha ? sha.slice(0, 12) : 'unknown';
}

function fmt(x: number | null): string {
  return x === null ? 'no data' : String(Number(x.toPrecision(4)));
}
