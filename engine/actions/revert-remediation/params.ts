/**
 * What a revert names: the merged salve PR, its merge commit and that commit's first parent, the
 * files restored to the parent's bytes, and the rendered change that restores (the inverse of the
 * merged change, recomputed from the two commits). Parsed wherever it is read: a proof is input.
 */
import { z } from 'zod';
import { InputError } from '../../model/errors.ts';

/** Built on first use (z.lazy): a plan that proposes no revert never builds it. */
export const RevertParams = z.lazy(() => {
  const Sha = z.string().regex(/^[0-9a-f]{40}$/);
  const Path = z
    .string()
    .min(1)
    .max(4096)
    .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'a repo-relative path');

  const InverseField = z.object({
    kind: z.string().min(1),
    name: z.string().min(1),
    namespace: z.string().optional(),
    path: z.string().min(1),
    after: z.unknown(),
  });
  const InverseObject = z.object({
    op: z.enum(['add', 'remove']),
    kind: z.string().min(1),
    name: z.string().min(1),
    namespace: z.string().optional(),
  });

  return z
    .object({
      pull: z.number().int().positive(),
      url: z.string().url().max(2000),
      /** The reverted remediation's id and action. */
      remediation: z.string().min(1).max(200),
      action: z.string().min(1).max(100),
      mergeCommit: Sha,
      parentCommit: Sha,
      /** The follow-up outcome that asks for the revert. */
      outcome: z.literal('harmful'),
      /** Restored to their bytes at `parentCommit`, sorted (none when the merge only added files). */
      files: z.array(Path).max(200),
      /** Files the merge added, sorted: the revert deletes them (as `git revert -m 1` would). */
      added: z.array(Path).max(200),
      inverse: z.object({ fields: z.array(InverseField).max(500), objects: z.array(InverseObject).max(200) }),
    })
    .refine((p) => p.files.length + p.added.length > 0, {
      message: 'a revert restores or deletes at least one file',
      path: ['files'],
    });
});
export type RevertParams = z.infer<typeof RevertParams>;

export function revertParams(params: Record<string, unknown>): RevertParams {
  const parsed = RevertParams.safeParse(params);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InputError(
    `revert-remediation params ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    { code: 'bad-revert-params' },
  );
}
