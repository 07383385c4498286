/**
 * The revert salve would open for the demo's harmful fix: planned exactly as the follow-up's revert
 * hook plans it (inverse, rendered check, policy, signed proof), printed instead of published.
 */
import { outcomeRecord } from '../followup/record.ts';
import { assembleRevert } from '../followup/revert/assemble.ts';
import { evaluateRevert } from '../followup/revert/plan.ts';
import type { FollowUpJob, Outcome } from '../followup/types.ts';
import { prepareContext } from '../pipeline/run.ts';
import type { LoopOptions } from './loop.ts';

/** Prints the revert's title, the files it restores or deletes, its decision and proof. Returns 1 when none could be planned. */
export async function planDemoRevert(o: LoopOptions, job: FollowUpJob, outcome: Outcome): Promise<number> {
  const ctx = await prepareContext(o.world.work, {
    signingKey: o.world.signingKey,
    now: new Date(outcome.decidedAt),
    log: o.log,
  });
  try {
    const ev = await evaluateRevert(ctx, job, outcomeRecord(job, outcome));
    if (ev.kind === 'finding') {
      o.out(`revert    none: ${ev.reason}`);
      return 1;
    }
    const assembled = await assembleRevert(ctx, ev, job, outcome);
    o.out(
      `revert    decision ${ev.decision.allowed ? ev.decision.mode : 'denied'} (${ev.decision.rules.length} rules)`,
    );
    for (const r of ev.decision.rules.filter((x) => x.effect === 'deny')) o.out(`denied    ${r.id}: ${r.message}`);
    const parent = ev.params.parentCommit.slice(0, 12);
    for (const f of ev.files)
      o.out(
        f.after === null
          ? `deletes   ${f.path} (added by #${job.pull})`
          : `restores  ${f.path} (to its bytes at ${parent}, before #${job.pull})`,
      );
    if (assembled.kind !== 'publish') {
      o.out(`revert    not published: policy says ${assembled.kind}`);
      return 0;
    }
    const { request } = assembled.input;
    o.out(`revert pr ${request.pr.title}`);
    o.out(
      `          branch ${request.branch}, proof ${assembled.input.proofDigest.slice(0, 19)}… (signed DSSE, ${request.files.length} files)`,
    );
    o.out('          not published: the demo has no GitHub; this is the pull request salve would open');
    return 0;
  } finally {
    await ctx.dispose();
  }
}
