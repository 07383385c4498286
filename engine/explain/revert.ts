/**
 * "How to revert", as the Application syncs: Argo CD puts back what git says only when it syncs by
 * itself, and removes what a revert takes out of git only when it prunes. Objects a remediation
 * adds are named, so a reviewer knows what a revert leaves behind.
 */
import type { ObjectChange } from '../model/index.ts';
import type { Remediation } from '../model/remediation.ts';
import { inline, Markdown } from './markdown.ts';

function ref(o: ObjectChange): string {
  return inline(`${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`);
}

/** `how` says how to revert (a PR's button, or the commit), the rest what Argo CD then does. */
export function revertNote(rem: Remediation, how: string): Markdown {
  const app = `**${inline(rem.application)}**`;
  const added = rem.diff.objects.filter((o) => o.op === 'add');
  const list = added.map(ref).join(', ');
  const [stay, them] = added.length === 1 ? ['stays', 'it'] : ['stay', 'them'];
  const rollout = added.some((o) => o.kind === 'Rollout')
    ? ' A Rollout left in the cluster keeps running, and with `workloadRef` keeps the Deployment it references scaled down: delete it first.'
    : '';
  const sync = rem.sync;
  if (!sync) return new Markdown(`${how} Argo CD syncs ${app} back to the previous state.`);
  if (sync.automated) {
    if (added.length === 0) return new Markdown(`${how} Argo CD syncs ${app} back to the previous state by itself.`);
    if (sync.prune)
      return new Markdown(`${how} Argo CD syncs ${app} back by itself and prunes what this change added: ${list}.`);
    return new Markdown(
      `${how} Argo CD syncs ${app} back by itself, but this Application does not prune (\`syncPolicy.automated.prune\` is not true): ${list} ${stay} in the cluster until someone deletes ${them} or syncs ${app} with prune.${rollout}`,
    );
  }
  const leftover = added.length > 0 ? ` Sync it with prune, or ${list} ${stay} in the cluster.${rollout}` : '';
  return new Markdown(
    `${how} ${app} has no automated sync policy: nothing changes in the cluster until someone syncs it in Argo CD.${leftover}`,
  );
}
