/**
 * Reverting salve's own merged remediation after its follow-up found it harmful: the files the
 * merge changed go back to their bytes at the merge's first parent, the files it added are deleted,
 * and the rendered change is exactly the inverse of the merged one. The only action that deletes. Never proposed from a signal: the follow-up proposes it
 * (engine/followup/revert), with params naming the PR and both commits.
 */
import type { FileChange } from '../../model/index.ts';
import { openSnapshot, readFileText } from '../../repo/index.ts';
import type { ActionPlugin } from '../types.ts';
import { revertParams } from './params.ts';

export const REVERT_REMEDIATION = 'revert-remediation';

export const revertRemediation: ActionPlugin = {
  id: REVERT_REMEDIATION,
  family: 'workload',
  disruption: 1,
  handles: [],
  description: "Revert salve's own merged remediation when its follow-up found it harmful.",
  fromFollowUp: true,

  async propose(incident) {
    return {
      action: this.id,
      reason: `only the follow-up of a merged remediation proposes a revert, not a signal (${incident.kinds.join(', ')})`,
    };
  },

  /** The inverse of the merged change, as the params carry it (recomputed from the commits by plan and verify). */
  effects(params) {
    const { inverse } = revertParams(params);
    const ns = (n: string | undefined) => (n === undefined ? {} : { namespace: n });
    return {
      fields: inverse.fields.map((f) => ({
        kind: f.kind,
        name: f.name,
        ...ns(f.namespace),
        path: f.path,
        after: f.after ?? null,
      })),
      objects: inverse.objects.map((o) => ({ op: o.op, kind: o.kind, name: o.name, ...ns(o.namespace) })),
    };
  },

  async render(candidate, repo): Promise<FileChange[]> {
    const p = revertParams(candidate.params);
    const parent = await openSnapshot(repo.dir, p.parentCommit);
    const changes: FileChange[] = [];
    for (const path of p.files) {
      const after = await readFileText(parent, path);
      if (after === null) continue;
      const before = await repo.readFile(path);
      if (before !== after) changes.push({ path, before, after });
    }
    // Still the merge's bytes (plan and verify hold the scope to files unchanged since the merge).
    for (const path of p.added) {
      const before = await repo.readFile(path);
      if (before !== null) changes.push({ path, before, after: null });
    }
    return changes;
  },
};
