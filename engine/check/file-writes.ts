/**
 * What a remediation may do to files: add and edit. Deleting is the revert's alone (the files the
 * reverted merge added, held to that by its own plan and by verify); a deletion from any other
 * action is a defect, refused before policy sees it.
 */
import { CheckError } from '../model/errors.ts';
import type { FileChange } from '../model/index.ts';
import { counted } from '../model/words.ts';

export function checkNoDeletion(action: string, files: readonly FileChange[]): void {
  const deleted = files.filter((f) => f.after === null).map((f) => f.path);
  if (deleted.length === 0) return;
  throw new CheckError(
    `${action} deletes ${counted(deleted.length, 'file')} (${deleted.join(', ')}): a remediation only adds and edits files; only the revert of a merged remediation deletes`,
    { code: 'unexpected-deletion' },
  );
}
